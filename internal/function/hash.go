package function

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash/crc32"

	"github.com/kuiperio/kuiper/internal/value"
)

// Hash functions digest the text of their argument (see toStr: numbers in
// their shortest form, bytea as its raw bytes) and return lowercase hex.

func hashSpecs() []*Spec {
	return []*Spec{
		hashSpec("md5", "MD5 digest of the argument, as 32 hex digits.", func(b []byte, dst []byte) []byte {
			s := md5.Sum(b)
			return hex.AppendEncode(dst, s[:])
		}, ex(`md5("hello")`, `"5d41402abc4b2a76b9719d911017c592"`)),
		hashSpec("sha1", "SHA-1 digest of the argument, as 40 hex digits.", func(b []byte, dst []byte) []byte {
			s := sha1.Sum(b)
			return hex.AppendEncode(dst, s[:])
		}, ex(`sha1("hello")`, `"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"`)),
		hashSpec("sha256", "SHA-256 digest of the argument, as 64 hex digits.", func(b []byte, dst []byte) []byte {
			s := sha256.Sum256(b)
			return hex.AppendEncode(dst, s[:])
		}, ex(`sha256("hello")`, `"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"`)),
		hashSpec("sha384", "SHA-384 digest of the argument, as 96 hex digits.", func(b []byte, dst []byte) []byte {
			s := sha512.Sum384(b)
			return hex.AppendEncode(dst, s[:])
		}, ex(`sha384("hello")`, `"59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f"`)),
		hashSpec("sha512", "SHA-512 digest of the argument, as 128 hex digits.", func(b []byte, dst []byte) []byte {
			s := sha512.Sum512(b)
			return hex.AppendEncode(dst, s[:])
		}, ex(`sha512("hello")`, `"9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043"`)),
		hashSpec("crc32", "CRC-32 (IEEE) checksum of the argument, as 8 hex digits.", func(b []byte, dst []byte) []byte {
			c := crc32.ChecksumIEEE(b)
			return hex.AppendEncode(dst, []byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)})
		}, ex(`crc32("hello")`, `"3610a686"`)),
	}
}

func hashSpec(name, desc string, digest func(in, dst []byte) []byte, examples ...Example) *Spec {
	return &Spec{
		Name: name, Category: CatHashing, Params: []Param{param("value", tScalar)}, Returns: TString,
		Description: desc, Examples: examples, Deterministic: true,
		Exec: func(_ *Context, args []value.Value) (value.Value, error) {
			v := args[0]
			if v.IsNil() {
				return missing, nil
			}
			var buf [128]byte
			return value.StringValue(string(digest([]byte(toStr(v)), buf[:0]))), nil
		},
	}
}
