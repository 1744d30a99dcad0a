package plugin

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// DefaultMaxPackageBytes bounds a downloaded plugin package and the sum of
// its unpacked files when the configuration sets no limit.
const DefaultMaxPackageBytes = 256 << 20

// ErrPackage marks a plugin package that is refused (bad URL, too large,
// unsafe or unexpected entries).
var ErrPackage = errors.New("invalid plugin package")

// Fetch copies the package at rawURL (file://, http:// or https://) into a
// temporary file and returns its path; the caller removes it. Packages
// larger than maxBytes are refused.
func Fetch(ctx context.Context, hc *http.Client, rawURL string, maxBytes int64) (string, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxPackageBytes
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("%w: file %q is not a URL: %v", ErrPackage, rawURL, err)
	}
	var r io.ReadCloser
	switch u.Scheme {
	case "file":
		p := u.Path
		if u.Host != "" && u.Host != "localhost" {
			// file://relative/path.zip: eKuiper's users write this too.
			p = u.Host + u.Path
		}
		f, err := os.Open(p)
		if err != nil {
			return "", fmt.Errorf("%w: open %s: %v", ErrPackage, p, err)
		}
		r = f
	case "http", "https":
		if hc == nil {
			hc = http.DefaultClient
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrPackage, err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return "", fmt.Errorf("%w: download %s: %v", ErrPackage, rawURL, err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return "", fmt.Errorf("%w: download %s: HTTP %s", ErrPackage, rawURL, resp.Status)
		}
		r = resp.Body
	default:
		return "", fmt.Errorf("%w: file %q: only file://, http:// and https:// URLs are supported", ErrPackage, rawURL)
	}
	defer r.Close()
	tmp, err := os.CreateTemp("", "kuiper-plugin-*.zip")
	if err != nil {
		return "", err
	}
	n, err := io.Copy(tmp, io.LimitReader(r, maxBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxBytes {
		err = fmt.Errorf("%w: %s is larger than the %d-byte limit (plugin.maxPackageSize)", ErrPackage, rawURL, maxBytes)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// Entry is a regular file of a plugin package.
type Entry struct {
	// Name is the cleaned, slash-separated path inside the package.
	Name string
	file *zip.File
}

// Package is an opened plugin zip whose entries have been checked.
type Package struct {
	r       *zip.ReadCloser
	Entries []Entry
}

// OpenPackage opens a zip and checks every entry: no absolute paths, no
// "..", no backslashes, no links or devices, and at most maxBytes
// uncompressed in all (zip bombs). Directories are skipped.
func OpenPackage(file string, maxBytes int64) (*Package, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxPackageBytes
	}
	r, err := zip.OpenReader(file)
	if err != nil {
		return nil, fmt.Errorf("%w: not a zip file: %v", ErrPackage, err)
	}
	p := &Package{r: r}
	var total uint64
	for _, f := range r.File {
		name := f.Name
		if strings.Contains(name, `\`) || strings.HasPrefix(name, "/") || filepath.IsAbs(name) || strings.ContainsRune(name, 0) {
			r.Close()
			return nil, fmt.Errorf("%w: entry %q has an absolute or unsafe path", ErrPackage, name)
		}
		for _, part := range strings.Split(name, "/") {
			if part == ".." {
				r.Close()
				return nil, fmt.Errorf("%w: entry %q leaves the package folder", ErrPackage, name)
			}
		}
		mode := f.Mode()
		if mode.IsDir() {
			continue
		}
		if !mode.IsRegular() {
			r.Close()
			return nil, fmt.Errorf("%w: entry %q is not a regular file (%s)", ErrPackage, name, mode.Type())
		}
		total += f.UncompressedSize64
		if total > uint64(maxBytes) {
			r.Close()
			return nil, fmt.Errorf("%w: unpacked size exceeds the %d-byte limit (plugin.maxPackageSize)", ErrPackage, maxBytes)
		}
		p.Entries = append(p.Entries, Entry{Name: path.Clean(name), file: f})
	}
	return p, nil
}

// Close closes the zip.
func (p *Package) Close() error { return p.r.Close() }

// Find returns the root-level entry named name.
func (p *Package) Find(name string) (Entry, bool) {
	for _, e := range p.Entries {
		if e.Name == name {
			return e, true
		}
	}
	return Entry{}, false
}

// Extract writes entry e to dst (created with mode perm), reading at most
// the size the zip declares.
func (p *Package) Extract(e Entry, dst string, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	rc, err := e.file.Open()
	if err != nil {
		return fmt.Errorf("%w: read %s: %v", ErrPackage, e.Name, err)
	}
	defer rc.Close()
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	limit := int64(e.file.UncompressedSize64)
	n, err := io.Copy(out, io.LimitReader(rc, limit+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > limit {
		err = fmt.Errorf("%w: entry %s is larger than it declares", ErrPackage, e.Name)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}

// ExtractAll writes every entry under dir, keeping the package's folders;
// the executable bit of entries is kept.
func (p *Package) ExtractAll(dir string) error {
	for _, e := range p.Entries {
		dst := filepath.Join(dir, filepath.FromSlash(e.Name))
		if !strings.HasPrefix(dst, filepath.Clean(dir)+string(filepath.Separator)) {
			return fmt.Errorf("%w: entry %q leaves the package folder", ErrPackage, e.Name)
		}
		perm := os.FileMode(0o644)
		if e.file.Mode()&0o111 != 0 {
			perm = 0o755
		}
		if err := p.Extract(e, dst, perm); err != nil {
			return err
		}
	}
	return nil
}
