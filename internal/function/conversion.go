package function

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kuiperio/kuiper/internal/value"
)

// castTargets are the type names cast() accepts.
var castTargets = []string{"bigint", "float", "string", "boolean", "datetime", "bytea"}

// compressMethods are the methods compress() and decompress() accept.
var compressMethods = []string{"zlib", "gzip", "flate"}

func conversionSpecs() []*Spec {
	return []*Spec{
		{
			Name: "cast", Category: CatConversion, Params: []Param{param("value", TAny), param("type", TString)}, Returns: TAny,
			Description: "Converts a value to bigint, float, string, boolean, datetime or bytea. Numbers become datetimes as Unix milliseconds; strings as 2006-01-02T15:04:05.000Z07:00 or RFC 3339; datetimes become strings in that format. A value that does not convert fails the row.",
			Examples: []Example{
				ex(`cast("12", "bigint")`, "12"), ex(`cast(1.9, "bigint")`, "1"), ex(`cast("true", "boolean")`, "true"),
				ex(`cast(0, "boolean")`, "false"), ex(`cast(true, "string")`, `"true"`),
				ex(`cast(cast(1700000000123, "datetime"), "string")`, `"2023-11-14T22:13:20.123Z"`),
			},
			Deterministic: true,
			Validate: func(args []Arg) error {
				if v, ok := constArg(args, 1); ok && v.Kind() == value.String {
					if _, err := castTarget(v.Str()); err != nil {
						return fmt.Errorf("argument 2 (type): %w", err)
					}
				}
				return nil
			},
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				name, err := toStrArg(1, args[1])
				if err != nil {
					return missing, err
				}
				k, err := castTarget(name)
				if err != nil {
					return missing, err
				}
				return value.Cast(args[0], k)
			},
		},
		{
			Name: "chr", Category: CatConversion, Params: []Param{param("code", TInt|TString)}, Returns: TString,
			Description:   "The character of a Unicode code point (chr(65) is \"A\"); a one-character string is returned as is.",
			Examples:      []Example{ex("chr(65)", `"A"`), ex("chr(233)", `"é"`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				v := args[0]
				switch v.Kind() {
				case value.Missing, value.Null:
					return missing, nil
				case value.String:
					if utf8.RuneCountInString(v.Str()) != 1 {
						return missing, fmt.Errorf("want a single character, got %s", describe(v))
					}
					return v, nil
				}
				n, err := toInt(0, v)
				if err != nil {
					return missing, err
				}
				if n < 0 || n > utf8.MaxRune || (n >= 0xD800 && n <= 0xDFFF) {
					return missing, fmt.Errorf("%d is not a Unicode code point", n)
				}
				return value.StringValue(string(rune(n))), nil
			},
		},
		{
			Name: "encode", Category: CatConversion, Params: []Param{param("value", TString|TBytes), param("encoding", TString)}, Returns: TString,
			Description:   "Encodes a string or bytea as base64 or hex text.",
			Examples:      []Example{ex(`encode("hello", "base64")`, `"aGVsbG8="`), ex(`encode("hi", "hex")`, `"6869"`)},
			Deterministic: true, Validate: validateEncoding,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				data, err := textOrBytes(0, args[0])
				if err != nil {
					return missing, err
				}
				enc, err := toStrArg(1, args[1])
				if err != nil {
					return missing, err
				}
				switch strings.ToLower(enc) {
				case "base64":
					return value.StringValue(base64.StdEncoding.EncodeToString([]byte(data))), nil
				case "hex":
					return value.StringValue(hex.EncodeToString([]byte(data))), nil
				}
				return missing, fmt.Errorf("unsupported encoding %q, want base64 or hex", enc)
			},
		},
		{
			Name: "decode", Category: CatConversion, Params: []Param{param("value", TString), param("encoding", TString)}, Returns: TBytes,
			Description:   "Decodes base64 or hex text into bytea (which JSON output writes as base64).",
			Examples:      []Example{ex(`decode("aGVsbG8=", "base64")`, `"aGVsbG8="`), ex(`cast(decode("6869", "hex"), "string")`, `"hi"`)},
			Deterministic: true, Validate: validateEncoding,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				s, err := textOrBytes(0, args[0])
				if err != nil {
					return missing, err
				}
				enc, err := toStrArg(1, args[1])
				if err != nil {
					return missing, err
				}
				var b []byte
				switch strings.ToLower(enc) {
				case "base64":
					b, err = base64.StdEncoding.DecodeString(s)
				case "hex":
					b, err = hex.DecodeString(s)
				default:
					return missing, fmt.Errorf("unsupported encoding %q, want base64 or hex", enc)
				}
				if err != nil {
					return missing, fmt.Errorf("decode %s: %w", enc, err)
				}
				return value.BytesValue(b), nil
			},
		},
		{
			Name: "trunc", Category: CatConversion, Params: []Param{param("x", TNumber), param("digits", TInt)}, Returns: TNumber,
			Description:   "x rounded half away from zero to digits decimal places (clamped to 0..34), as eKuiper does; a bigint is returned as is.",
			Examples:      []Example{ex("trunc(3.14159, 2)", "3.14"), ex("trunc(-2.789, 2)", "-2.79"), ex("trunc(-2.789, 0)", "-3")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				d, err := toInt(1, args[1])
				if err != nil {
					return missing, err
				}
				d = max(0, min(d, 34))
				switch v := args[0]; v.Kind() {
				case value.Int:
					return v, nil
				case value.Float:
					return floatResult(roundFloat(v.Float(), d)), nil
				default:
					return missing, argErr(0, "a number", v)
				}
			},
		},
		{
			Name: "convert_tz", Category: CatConversion, Params: []Param{param("time", tTimeLike), param("zone", TString)}, Returns: TTime,
			Description:   "The datetime in the IANA time zone zone (Asia/Shanghai, UTC, Local): the same instant, with wall-clock parts and formatting in that zone.",
			Examples:      []Example{ex(`format_time(convert_tz(1700000000000, "Asia/Shanghai"), "yyyy-MM-dd HH:mm:ss")`, `"2023-11-15 06:13:20"`)},
			Deterministic: true,
			Validate: func(args []Arg) error {
				if v, ok := constArg(args, 1); ok && v.Kind() == value.String {
					if _, err := time.LoadLocation(v.Str()); err != nil {
						return fmt.Errorf("argument 2 (zone): unknown time zone %q", v.Str())
					}
				}
				return nil
			},
			Exec: execConvertTZ,
		},
		{
			Name: "to_seconds", Category: CatConversion, Params: []Param{param("time", tTimeLike)}, Returns: TInt,
			Description:   "Unix epoch seconds of a datetime.",
			Examples:      []Example{ex("to_seconds(1700000000123)", "1700000000"), ex(`to_seconds("2023-11-14T22:13:20.000Z")`, "1700000000")},
			Deterministic: true,
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				t, err := timeArg(ctx, args, 0)
				if err != nil {
					return missing, err
				}
				return value.IntValue(t.Unix()), nil
			},
		},
		{
			Name: "compress", Category: CatConversion, Params: []Param{param("value", TString|TBytes), param("method", TString)}, Returns: TBytes,
			Description:   "Compresses a string or bytea with zlib, gzip or flate.",
			Examples:      []Example{ex(`cast(decompress(compress("hello", "zlib"), "zlib"), "string")`, `"hello"`)},
			Deterministic: true, Validate: validateCompressMethod,
			Exec: execCompress,
		},
		{
			Name: "decompress", Category: CatConversion, Params: []Param{param("value", TString|TBytes), param("method", TString)}, Returns: TBytes,
			Description:   "Decompresses zlib, gzip or flate data.",
			Examples:      []Example{ex(`cast(decompress(compress("hi", "gzip"), "gzip"), "string")`, `"hi"`)},
			Deterministic: true, Validate: validateCompressMethod,
			Exec: execDecompress,
		},
		{
			Name: "hex2dec", Category: CatConversion, Params: []Param{param("hex", TString)}, Returns: TInt,
			Description:   "The integer value of hexadecimal text, with or without 0x.",
			Examples:      []Example{ex(`hex2dec("0x10")`, "16"), ex(`hex2dec("ff")`, "255")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				s, err := toStrArg(0, args[0])
				if err != nil {
					return missing, err
				}
				neg := strings.HasPrefix(s, "-")
				digits := strings.TrimPrefix(s, "-")
				if len(digits) > 2 && (digits[:2] == "0x" || digits[:2] == "0X") {
					digits = digits[2:]
				}
				u, err := strconv.ParseUint(digits, 16, 64)
				if err != nil || u > 1<<63 || (!neg && u == 1<<63) {
					return missing, fmt.Errorf("%q is not a hexadecimal bigint", s)
				}
				if neg {
					return value.IntValue(-int64(u)), nil
				}
				return value.IntValue(int64(u)), nil
			},
		},
		{
			Name: "dec2hex", Category: CatConversion, Params: []Param{param("value", TInt)}, Returns: TString,
			Description:   "Hexadecimal text of an integer, with a 0x prefix.",
			Examples:      []Example{ex("dec2hex(16)", `"0x10"`), ex("dec2hex(-255)", `"-0xff"`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				i, err := toInt(0, args[0])
				if err != nil {
					return missing, err
				}
				if i < 0 {
					return value.StringValue("-0x" + strconv.FormatUint(uint64(-i), 16)), nil
				}
				return value.StringValue("0x" + strconv.FormatInt(i, 16)), nil
			},
		},
	}
}

// castTarget maps a cast type name to its kind.
func castTarget(name string) (value.Kind, error) {
	for _, t := range castTargets {
		if strings.EqualFold(t, name) {
			k, _ := value.ParseKind(t)
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown type %q, want one of %s", name, strings.Join(castTargets, ", "))
}

func validateEncoding(args []Arg) error {
	if v, ok := constArg(args, 1); ok && v.Kind() == value.String {
		if e := strings.ToLower(v.Str()); e != "base64" && e != "hex" {
			return fmt.Errorf("argument 2 (encoding): unsupported encoding %q, want base64 or hex", v.Str())
		}
	}
	return nil
}

func validateCompressMethod(args []Arg) error {
	if v, ok := constArg(args, 1); ok && v.Kind() == value.String && !containsString(compressMethods, v.Str()) {
		return fmt.Errorf("argument 2 (method): unsupported method %q, want one of %s", v.Str(), strings.Join(compressMethods, ", "))
	}
	return nil
}

// textOrBytes reads a string or bytea argument as its raw bytes.
func textOrBytes(i int, v value.Value) (string, error) {
	if v.Kind() == value.String || v.Kind() == value.Bytes {
		return v.Str(), nil
	}
	return "", argErr(i, "a string or bytea", v)
}

func execConvertTZ(ctx *Context, args []value.Value) (value.Value, error) {
	if anyNil(args) {
		return missing, nil
	}
	t, err := toTime(0, args[0], location(ctx))
	if err != nil {
		return missing, err
	}
	name, err := toStrArg(1, args[1])
	if err != nil {
		return missing, err
	}
	loc, err := cachedBy(ctx, name, func(name string) (*time.Location, error) {
		loc, err := time.LoadLocation(name)
		if err != nil {
			return nil, fmt.Errorf("unknown time zone %q", name)
		}
		return loc, nil
	})
	if err != nil {
		return missing, err
	}
	return value.TimeValue(t.In(loc)), nil
}

// compressor is the per-call-site state of compress: a writer reused
// across rows.
type compressor struct {
	method string
	buf    bytes.Buffer
	w      interface {
		io.WriteCloser
		Reset(io.Writer)
	}
}

func newCompressor(method string) (*compressor, error) {
	c := &compressor{method: method}
	switch method {
	case "zlib":
		c.w = zlib.NewWriter(&c.buf)
	case "gzip":
		c.w = gzip.NewWriter(&c.buf)
	case "flate":
		w, err := flate.NewWriter(&c.buf, flate.DefaultCompression)
		if err != nil {
			return nil, err
		}
		c.w = w
	default:
		return nil, fmt.Errorf("unsupported method %q, want one of %s", method, strings.Join(compressMethods, ", "))
	}
	return c, nil
}

func execCompress(ctx *Context, args []value.Value) (value.Value, error) {
	if anyNil(args) {
		return missing, nil
	}
	data, err := textOrBytes(0, args[0])
	if err != nil {
		return missing, err
	}
	method, err := toStrArg(1, args[1])
	if err != nil {
		return missing, err
	}
	var c *compressor
	if ctx != nil {
		c, _ = ctx.State.(*compressor)
	}
	if c == nil || c.method != method {
		if c, err = newCompressor(method); err != nil {
			return missing, err
		}
		if ctx != nil {
			ctx.State = c
		}
	}
	c.buf.Reset()
	c.w.Reset(&c.buf)
	if _, err := io.WriteString(c.w, data); err != nil {
		return missing, err
	}
	if err := c.w.Close(); err != nil {
		return missing, err
	}
	return value.BytesValue(c.buf.Bytes()), nil
}

var errUnsupportedMethod = errors.New("unsupported method, want one of zlib, gzip, flate")

func execDecompress(_ *Context, args []value.Value) (value.Value, error) {
	if anyNil(args) {
		return missing, nil
	}
	data, err := textOrBytes(0, args[0])
	if err != nil {
		return missing, err
	}
	method, err := toStrArg(1, args[1])
	if err != nil {
		return missing, err
	}
	in := strings.NewReader(data)
	var r io.ReadCloser
	switch method {
	case "zlib":
		r, err = zlib.NewReader(in)
	case "gzip":
		r, err = gzip.NewReader(in)
	case "flate":
		r = flate.NewReader(in)
	default:
		return missing, fmt.Errorf("%w: %q", errUnsupportedMethod, method)
	}
	if err != nil {
		return missing, fmt.Errorf("decompress %s: %w", method, err)
	}
	defer r.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		return missing, fmt.Errorf("decompress %s: %w", method, err)
	}
	return value.BytesValue(out), nil
}
