package sandboxtest

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bacasable/bacasable/fixtures"
)

// UnlimitedQuota is the embedded fixtures with BACASABLE-COMPLET's quota
// (1 000 calls a minute) out of a benchmark's reach, for
// simulator.Config.Fixtures.
func UnlimitedQuota(t testing.TB) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(fixtures.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fixtures.FS(), path)
		fsys[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	const quota = "quota_par_minute: 1000\n"
	hab := string(fsys["habilitations.yaml"].Data)
	if !strings.Contains(hab, quota) {
		t.Fatal("habilitations.yaml: BACASABLE-COMPLET's quota is no longer 1000 a minute")
	}
	fsys["habilitations.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(hab, quota, "quota_par_minute: 1000000000\n", 1))}
	return fsys
}
