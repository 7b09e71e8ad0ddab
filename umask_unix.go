//go:build unix

package main

import "syscall"

// privateUmask makes every file and directory the process creates (the database, its
// log, uploads, the knowledge index, certificates, backups) readable by its own user
// only: they hold patients' conversations and contact details.
func privateUmask() { syscall.Umask(0o077) }
