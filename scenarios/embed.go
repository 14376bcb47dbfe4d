// Package scenarios holds the sandbox's named behaviours, one YAML file per
// scenario (see simulator/scenario for the keys). They are embedded in the
// binary; --scenarios DIR loads a directory of such files instead.
package scenarios

import (
	"embed"
	"io/fs"
)

//go:embed *.yaml
var files embed.FS

// FS returns the embedded scenario files.
func FS() fs.FS { return files }
