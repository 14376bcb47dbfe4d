// Package openapi holds the project's own OpenAPI contracts.
package openapi

import (
	"embed"
	"io/fs"
)

//go:embed *.yaml
var contracts embed.FS

// FS returns the project's contracts (the *.yaml files of this directory),
// embedded in the binary at build time. A command-line flag can override them
// at run time with os.DirFS(dir), which exposes the same flat layout.
func FS() fs.FS {
	return contracts
}
