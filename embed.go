package main

import (
	"embed"
	"io/fs"
)

//go:embed all:pb_public
var publicFiles embed.FS

// publicFS is the web assets the binary serves: the demo page, widget.js and the like.
func publicFS() fs.FS {
	sub, err := fs.Sub(publicFiles, "pb_public")
	if err != nil {
		panic(err)
	}
	return sub
}
