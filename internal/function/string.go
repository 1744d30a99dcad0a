package function

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kuiperio/kuiper/internal/value"
)

// String functions read their arguments as text (see toStr: upper(123) is
// "123"). A nil string gives null unless the function says otherwise.
// Positions and lengths count characters, not bytes.

func stringSpecs() []*Spec {
	return []*Spec{
		{
			Name: "concat", Category: CatString, Params: []Param{variadic("value", TAny)}, Returns: TString | TArray,
			Description:   "Joins its arguments as text; nil arguments add nothing. When the first non-nil argument is an array, arrays are joined into one array instead.",
			Examples:      []Example{ex(`concat("a", "-", 1)`, `"a-1"`), ex(`concat(array_create(1, 2), array_create(3))`, `[1,2,3]`)},
			Deterministic: true, Exec: execConcat,
		},
		{
			Name: "endswith", Category: CatString, Params: []Param{param("str", tScalar), param("suffix", tScalar)}, Returns: TBool,
			Description:   "Whether str ends with suffix; false when either is nil.",
			Examples:      []Example{ex(`endswith("hello", "lo")`, "true")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return value.BoolValue(false), nil
				}
				return value.BoolValue(strings.HasSuffix(toStr(args[0]), toStr(args[1]))), nil
			},
		},
		{
			Name: "startswith", Category: CatString, Params: []Param{param("str", tScalar), param("prefix", tScalar)}, Returns: TBool,
			Description:   "Whether str starts with prefix; false when either is nil.",
			Examples:      []Example{ex(`startswith("hello", "he")`, "true")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return value.BoolValue(false), nil
				}
				return value.BoolValue(strings.HasPrefix(toStr(args[0]), toStr(args[1]))), nil
			},
		},
		{
			Name: "indexof", Category: CatString, Params: []Param{param("str", tScalar), param("substr", tScalar)}, Returns: TInt,
			Description:   "0-based character position of the first occurrence of substr in str, -1 when absent or nil.",
			Examples:      []Example{ex(`indexof("hello", "lo")`, "3"), ex(`indexof("hello", "z")`, "-1")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return value.IntValue(-1), nil
				}
				s := toStr(args[0])
				i := strings.Index(s, toStr(args[1]))
				if i > 0 {
					i = utf8.RuneCountInString(s[:i])
				}
				return value.IntValue(int64(i)), nil
			},
		},
		{
			Name: "length", Category: CatString, Params: []Param{param("value", TAny)}, Returns: TInt,
			Description:   "Number of characters of a string (numbers count the characters of their text); the number of elements of an array or fields of an object; 0 for nil.",
			Examples:      []Example{ex(`length("héllo")`, "5"), ex(`length(array_create(1, 2))`, "2")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				switch v := args[0]; v.Kind() {
				case value.Array:
					return value.IntValue(int64(len(v.Array()))), nil
				case value.Obj:
					return value.IntValue(int64(v.Object().Len())), nil
				case value.Missing, value.Null:
					return value.IntValue(0), nil
				default:
					return value.IntValue(int64(utf8.RuneCountInString(toStr(v)))), nil
				}
			},
		},
		{
			Name: "numbytes", Category: CatString, Params: []Param{param("str", tScalar)}, Returns: TInt,
			Description:   "Number of bytes of the UTF-8 text of the argument; 0 for nil.",
			Examples:      []Example{ex(`numbytes("héllo")`, "6")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				return value.IntValue(int64(len(toStr(args[0])))), nil
			},
		},
		stringMap("lower", "Lowercase version of the string.", strings.ToLower, ex(`lower("AbC")`, `"abc"`)),
		stringMap("upper", "Uppercase version of the string.", strings.ToUpper, ex(`upper("AbC")`, `"ABC"`)),
		stringMap("trim", "Removes leading and trailing whitespace.", strings.TrimSpace, ex(`trim("  a b  ")`, `"a b"`)),
		stringMap("ltrim", "Removes leading whitespace.", func(s string) string { return strings.TrimLeftFunc(s, unicode.IsSpace) }, ex(`ltrim("  a  ")`, `"a  "`)),
		stringMap("rtrim", "Removes trailing whitespace.", func(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) }, ex(`rtrim("  a  ")`, `"  a"`)),
		stringMap("reverse", "The string with its characters in reverse order.", reverseString, ex(`reverse("héllo")`, `"olléh"`)),
		padSpec("lpad", "Prepends n spaces to the string.", true, ex(`lpad("ab", 3)`, `"   ab"`)),
		padSpec("rpad", "Appends n spaces to the string.", false, ex(`rpad("ab", 2)`, `"ab  "`)),
		{
			Name: "regexp_matches", Category: CatString, Params: []Param{param("str", tScalar), param("regex", TString)}, Returns: TBool,
			Description:   "Whether str contains a match of the regular expression (RE2 syntax); false when either is nil.",
			Examples:      []Example{ex(`regexp_matches("abc123", "[0-9]+")`, "true")},
			Deterministic: true, Validate: validateRegex(1),
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return value.BoolValue(false), nil
				}
				re, err := cachedRegex(ctx, 1, args[1])
				if err != nil {
					return missing, err
				}
				return value.BoolValue(re.MatchString(toStr(args[0]))), nil
			},
		},
		{
			Name: "regexp_replace", Category: CatString, Params: []Param{param("str", tScalar), param("regex", TString), param("replacement", TString)}, Returns: TString,
			Description:   "Replaces every match of the regular expression in str; $1 and ${name} in the replacement refer to groups.",
			Examples:      []Example{ex(`regexp_replace("a1b22", "[0-9]+", "#")`, `"a#b#"`)},
			Deterministic: true, Validate: validateRegex(1),
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				re, err := cachedRegex(ctx, 1, args[1])
				if err != nil {
					return missing, err
				}
				return value.StringValue(re.ReplaceAllString(toStr(args[0]), toStr(args[2]))), nil
			},
		},
		{
			Name: "regexp_substr", Category: CatString, Params: []Param{param("str", tScalar), param("regex", TString)}, Returns: TString,
			Description:   "First substring of str that matches the regular expression, \"\" when none does.",
			Examples:      []Example{ex(`regexp_substr("abc123def", "[0-9]+")`, `"123"`)},
			Deterministic: true, Validate: validateRegex(1),
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				re, err := cachedRegex(ctx, 1, args[1])
				if err != nil {
					return missing, err
				}
				return value.StringValue(re.FindString(toStr(args[0]))), nil
			},
		},
		{
			Name: "substring", Category: CatString,
			Params:        []Param{param("str", tScalar), param("start", TInt), optional("end", TInt)},
			Returns:       TString,
			Description:   "Characters of str from start (0-based, inclusive) to end (exclusive; default the end of the string). Positions past the end are clamped; a negative position or start > end fails the row.",
			Examples:      []Example{ex(`substring("abcdef", 1, 3)`, `"bc"`), ex(`substring("abcdef", 2)`, `"cdef"`)},
			Deterministic: true, Validate: validateSubstring, Exec: execSubstring,
		},
		{
			Name: "split_value", Category: CatString,
			Params:        []Param{param("str", tScalar), param("separator", TString), param("index", TInt)},
			Returns:       TString,
			Description:   "Splits str at every separator and returns the part at index (0-based); an index out of range fails the row.",
			Examples:      []Example{ex(`split_value("/test/device001/message", "/", 3)`, `"message"`), ex(`split_value("/test/device001/message", "/", 0)`, `""`)},
			Deterministic: true,
			Validate: func(args []Arg) error {
				if v, ok := constArg(args, 2); ok && v.Kind() == value.Int && v.Int() < 0 {
					return errors.New("argument 3 (index) must not be negative")
				}
				return nil
			},
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				sep, err := toStrArg(1, args[1])
				if err != nil {
					return missing, err
				}
				idx, err := toInt(2, args[2])
				if err != nil {
					return missing, err
				}
				parts := strings.Split(toStr(args[0]), sep)
				if idx < 0 || idx >= int64(len(parts)) {
					return missing, fmt.Errorf("index %d out of range [0, %d)", idx, len(parts))
				}
				return value.StringValue(parts[idx]), nil
			},
		},
		{
			Name: "format", Category: CatString,
			Params:        []Param{param("x", TNumber), param("decimals", TInt), optional("locale", TString)},
			Returns:       TString,
			Description:   "Formats the number x rounded to the given decimals; with a locale (en_US, zh_CN) the integer part gets thousands separators.",
			Examples:      []Example{ex("format(12332.1234567, 4)", `"12332.1235"`), ex(`format(12332.1234567, 4, "en_US")`, `"12,332.1235"`)},
			Deterministic: true,
			Validate: func(args []Arg) error {
				if v, ok := constArg(args, 2); ok && v.Kind() == value.String && !knownLocale(v.Str()) {
					return fmt.Errorf("argument 3 (locale): unsupported locale %q, want en_US or zh_CN", v.Str())
				}
				return nil
			},
			Exec: execFormat,
		},
	}
}

func stringMap(name, desc string, f func(string) string, examples ...Example) *Spec {
	return &Spec{
		Name: name, Category: CatString, Params: []Param{param("str", tScalar)}, Returns: TString,
		Description: desc, Examples: examples, Deterministic: true,
		Exec: func(_ *Context, args []value.Value) (value.Value, error) {
			v := args[0]
			if v.IsNil() {
				return missing, nil
			}
			return value.StringValue(f(toStr(v))), nil
		},
	}
}

func padSpec(name, desc string, left bool, examples ...Example) *Spec {
	return &Spec{
		Name: name, Category: CatString, Params: []Param{param("str", tScalar), param("n", TInt)}, Returns: TString,
		Description: desc, Examples: examples, Deterministic: true,
		Validate: func(args []Arg) error {
			if v, ok := constArg(args, 1); ok && v.Kind() == value.Int && v.Int() < 0 {
				return errors.New("argument 2 (n) must not be negative")
			}
			return nil
		},
		Exec: func(_ *Context, args []value.Value) (value.Value, error) {
			if args[0].IsNil() {
				return missing, nil
			}
			n, err := toInt(1, args[1])
			if err != nil {
				return missing, err
			}
			if n < 0 || n > 1<<20 {
				return missing, fmt.Errorf("padding %d out of range [0, %d]", n, 1<<20)
			}
			s := toStr(args[0])
			var b strings.Builder
			b.Grow(len(s) + int(n))
			if !left {
				b.WriteString(s)
			}
			for range n {
				b.WriteByte(' ')
			}
			if left {
				b.WriteString(s)
			}
			return value.StringValue(b.String()), nil
		},
	}
}

func execConcat(_ *Context, args []value.Value) (value.Value, error) {
	for _, a := range args {
		if a.IsNil() {
			continue
		}
		if a.Kind() == value.Array {
			return concatArrays(args), nil
		}
		break
	}
	if len(args) == 1 {
		if args[0].Kind() == value.String {
			return args[0], nil
		}
		return value.StringValue(toStr(args[0])), nil
	}
	n := 0
	allStrings := true
	for _, a := range args {
		if a.Kind() == value.String {
			n += len(a.Str())
		} else if !a.IsNil() {
			allStrings = false
		}
	}
	var b strings.Builder
	if allStrings {
		b.Grow(n)
	}
	for _, a := range args {
		b.WriteString(toStr(a))
	}
	return value.StringValue(b.String()), nil
}

func concatArrays(args []value.Value) value.Value {
	n := 0
	for _, a := range args {
		n += len(a.Array())
	}
	out := make([]value.Value, 0, n)
	for _, a := range args {
		switch a.Kind() {
		case value.Array:
			out = append(out, a.Array()...)
		case value.Missing, value.Null:
		default:
			out = append(out, a)
		}
	}
	return value.ArrayValue(out)
}

func reverseString(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// runeOffset returns the byte offset of the n-th character of s, or len(s).
func runeOffset(s string, n int64) int {
	if n <= 0 {
		return 0
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

func validateSubstring(args []Arg) error {
	start, ok1 := constArg(args, 1)
	if ok1 && start.Kind() == value.Int && start.Int() < 0 {
		return errors.New("argument 2 (start) must not be negative")
	}
	end, ok2 := constArg(args, 2)
	if ok2 && end.Kind() == value.Int {
		if end.Int() < 0 {
			return errors.New("argument 3 (end) must not be negative")
		}
		if ok1 && start.Kind() == value.Int && end.Int() < start.Int() {
			return errors.New("argument 3 (end) must not be less than argument 2 (start)")
		}
	}
	return nil
}

func execSubstring(_ *Context, args []value.Value) (value.Value, error) {
	if args[0].IsNil() {
		return missing, nil
	}
	start, err := toInt(1, args[1])
	if err != nil {
		return missing, err
	}
	if start < 0 {
		return missing, errors.New("start index must not be negative")
	}
	s := toStr(args[0])
	from := runeOffset(s, start)
	if len(args) < 3 || args[2].IsNil() {
		return value.StringValue(s[from:]), nil
	}
	end, err := toInt(2, args[2])
	if err != nil {
		return missing, err
	}
	if end < start {
		return missing, errors.New("end index must not be less than start index")
	}
	to := from + runeOffset(s[from:], end-start)
	return value.StringValue(s[from:to]), nil
}

// cachedRegex compiles the pattern argument i, reusing the last compiled
// one of this call site when the pattern did not change.
func cachedRegex(ctx *Context, i int, v value.Value) (*regexp.Regexp, error) {
	src, err := toStrArg(i, v)
	if err != nil {
		return nil, err
	}
	return cachedBy(ctx, src, func(src string) (*regexp.Regexp, error) {
		re, err := regexp.Compile(src)
		if err != nil {
			return nil, fmt.Errorf("invalid regular expression %q: %w", src, err)
		}
		return re, nil
	})
}

// validateRegex checks that a literal pattern at argument i compiles.
func validateRegex(i int) func([]Arg) error {
	return func(args []Arg) error {
		if v, ok := constArg(args, i); ok && v.Kind() == value.String {
			if _, err := regexp.Compile(v.Str()); err != nil {
				return fmt.Errorf("argument %d: invalid regular expression %q: %w", i+1, v.Str(), err)
			}
		}
		return nil
	}
}

func knownLocale(l string) bool { return l == "en_US" || l == "zh_CN" }

func execFormat(_ *Context, args []value.Value) (value.Value, error) {
	if args[0].IsNil() || args[1].IsNil() {
		return missing, nil
	}
	x, err := toFloat(0, args[0])
	if err != nil {
		return missing, err
	}
	d, err := toInt(1, args[1])
	if err != nil {
		return missing, err
	}
	d = max(0, min(d, 30))
	var buf [64]byte
	text := strconv.AppendFloat(buf[:0], x, 'f', int(d), 64)
	if len(args) < 3 || args[2].IsNil() {
		return value.StringValue(string(text)), nil
	}
	loc, err := toStrArg(2, args[2])
	if err != nil {
		return missing, err
	}
	if !knownLocale(loc) {
		return missing, fmt.Errorf("unsupported locale %q", loc)
	}
	return value.StringValue(groupThousands(string(text))), nil
}

// groupThousands puts a comma between every three digits of the integer
// part of a decimal number.
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteString(frac)
	return b.String()
}
