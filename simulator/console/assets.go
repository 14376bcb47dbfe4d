package console

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
)

//go:embed static
var staticFiles embed.FS

//go:embed templates/index.html
var templateFiles embed.FS

// FS returns the console's static files (console.css, favicon.svg, js/…),
// as served under /_bacasable/static/.
func FS() fs.FS {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // cannot happen: "static" is a valid path
	}
	return sub
}

// contentTypes are the media types of the files the console serves, by
// extension. The table is the package's own rather than the system's MIME
// database, which varies between machines (.js as application/javascript,
// or nothing at all on a bare container). A file with another extension
// makes New fail, so a new kind of asset cannot ship with a wrong type.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
	".json":  "application/json",
	".txt":   "text/plain; charset=utf-8",
}

// contentType returns the media type for the file name, or false when the
// extension is not in the table.
func contentType(name string) (string, bool) {
	ct, ok := contentTypes[path.Ext(name)]
	return ct, ok
}

// asset is one static file, ready to serve.
type asset struct {
	data        []byte
	contentType string
	// version is the start of the content's sha256 in hex: the ?v= of the
	// fingerprinted URL, and the ETag.
	version string
}

func (a *asset) etag() string { return `"` + a.version + `"` }

// loadAssets reads every file of fsys, keyed by its slash path.
func loadAssets(fsys fs.FS) (map[string]*asset, error) {
	assets := map[string]*asset{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := contentType(name)
		if !ok {
			return fmt.Errorf("console: static file %s: no content type for %q (add it to contentTypes)", name, path.Ext(name))
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		assets[name] = &asset{data: data, contentType: ct, version: fingerprint(data)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(assets) == 0 {
		return nil, fmt.Errorf("console: no static file")
	}
	return assets, nil
}

// fingerprint is the version of a content: 16 hex digits of its sha256.
func fingerprint(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}
