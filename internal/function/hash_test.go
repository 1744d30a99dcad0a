package function

import (
	"testing"

	"github.com/kuiperio/kuiper/internal/value"
)

func TestHash(t *testing.T) {
	runFnCases(t, []fnCase{
		{fn: "md5", args: []value.Value{vs("hello")}, want: `"5d41402abc4b2a76b9719d911017c592"`},
		{fn: "sha1", args: []value.Value{vs("")}, want: `"da39a3ee5e6b4b0d3255bfef95601890afd80709"`},
		{fn: "sha256", args: []value.Value{vs("hello")}, want: `"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"`},
		{name: "crc32", fn: "crc32", args: []value.Value{vs("The quick brown fox")}, want: `"b74574de"`},
		{name: "crc32 keeps leading zeros", fn: "crc32", args: []value.Value{vs("")}, want: `"00000000"`},
		{name: "md5 of number text", fn: "md5", args: []value.Value{vi(1)}, want: `"c4ca4238a0b923820dcc509a6f75849b"`},
		{name: "md5 of bytes", fn: "md5", args: []value.Value{value.BytesValue([]byte("hello"))}, want: `"5d41402abc4b2a76b9719d911017c592"`},
		{name: "sha512 null", fn: "sha512", args: []value.Value{vnull}, want: "missing"},
	})
}
