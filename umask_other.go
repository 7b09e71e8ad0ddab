//go:build !unix

package main

// privateUmask does nothing where there is no umask; the data directory's modes are
// still tightened at every start (hooks.bindPrivateFiles).
func privateUmask() {}
