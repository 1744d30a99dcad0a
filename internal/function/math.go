package function

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/kuiperio/kuiper/internal/value"
)

// Math functions take numbers and return numbers. A nil argument gives
// null; a string is not a number and fails the row (sqrt("4") is an
// error, as in eKuiper). Results that are not finite (sqrt(-1), ln(0))
// give null since JSON cannot carry them.

var errIntOverflow = errors.New("integer overflow")

func mathSpecs() []*Spec {
	return []*Spec{
		{
			Name: "abs", Category: CatMath, Params: []Param{param("x", TNumber)}, Returns: TNumber,
			Description:   "Absolute value; a bigint stays a bigint.",
			Examples:      []Example{ex("abs(-2)", "2"), ex("abs(-1.5)", "1.5")},
			Deterministic: true, Exec: execAbs,
		},
		unaryFloat("acos", "Arc cosine in radians; null outside [-1, 1].", math.Acos, ex("acos(1)", "0")),
		unaryFloat("asin", "Arc sine in radians; null outside [-1, 1].", math.Asin, ex("asin(0)", "0")),
		unaryFloat("atan", "Arc tangent in radians.", math.Atan, ex("atan(0)", "0")),
		binaryFloat("atan2", "Angle in radians between the x-axis and the point (x, y).", "y", "x", math.Atan2, ex("atan2(0, 1)", "0")),
		bitSpec("bitand", "Bitwise AND of two integers.", func(a, b int64) int64 { return a & b }, ex("bitand(12, 10)", "8")),
		bitSpec("bitor", "Bitwise OR of two integers.", func(a, b int64) int64 { return a | b }, ex("bitor(12, 10)", "14")),
		bitSpec("bitxor", "Bitwise XOR of two integers.", func(a, b int64) int64 { return a ^ b }, ex("bitxor(12, 10)", "6")),
		{
			Name: "bitnot", Category: CatMath, Params: []Param{param("x", TInt)}, Returns: TInt,
			Description:   "Bitwise NOT of an integer.",
			Examples:      []Example{ex("bitnot(0)", "-1")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				x, err := toInt(0, args[0])
				if err != nil {
					return missing, err
				}
				return value.IntValue(^x), nil
			},
		},
		roundingSpec("ceil", []string{"ceiling"}, "Smallest integer value not less than x; a bigint is returned as is.", math.Ceil, ex("ceil(1.2)", "2"), ex("ceiling(-1.2)", "-1")),
		roundingSpec("floor", nil, "Largest integer value not greater than x; a bigint is returned as is.", math.Floor, ex("floor(1.8)", "1"), ex("floor(-1.2)", "-2")),
		unaryFloat("cos", "Cosine of an angle in radians.", math.Cos, ex("cos(0)", "1")),
		unaryFloat("cosh", "Hyperbolic cosine.", math.Cosh, ex("cosh(0)", "1")),
		unaryFloat("cot", "Cotangent of an angle in radians; null at 0.", func(x float64) float64 { return 1 / math.Tan(x) }, ex("cot(1)", "0.6420926159343306")),
		unaryFloat("degrees", "Converts radians to degrees.", func(x float64) float64 { return x * 180 / math.Pi }, ex("degrees(pi())", "180")),
		unaryFloat("radians", "Converts degrees to radians.", func(x float64) float64 { return x * math.Pi / 180 }, ex("radians(180)", "3.141592653589793")),
		unaryFloat("exp", "Euler's number e raised to the power x.", math.Exp, ex("exp(0)", "1")),
		unaryFloat("ln", "Natural logarithm; null for x <= 0.", math.Log, ex("ln(1)", "0")),
		{
			Name: "log", Category: CatMath,
			Params:        []Param{param("x", TNumber), optional("y", TNumber)},
			Returns:       TFloat,
			Description:   "log(x) is the base-10 logarithm of x; log(b, x) the base-b logarithm of x. Null for x <= 0 or b <= 1.",
			Examples:      []Example{ex("log(100)", "2"), ex("log(2, 8)", "3")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				a, err := toFloat(0, args[0])
				if err != nil {
					return missing, err
				}
				if len(args) == 1 {
					if a <= 0 {
						return missing, nil
					}
					return floatResult(math.Log10(a)), nil
				}
				x, err := toFloat(1, args[1])
				if err != nil {
					return missing, err
				}
				if x <= 0 || a <= 1 {
					return missing, nil
				}
				return floatResult(math.Log(x) / math.Log(a)), nil
			},
		},
		{
			Name: "mod", Category: CatMath, Params: []Param{param("x", TNumber), param("y", TNumber)}, Returns: TNumber,
			Description:   "Remainder of x divided by y, with the sign of x; two bigints give a bigint. A zero divisor fails the row.",
			Examples:      []Example{ex("mod(7, 3)", "1"), ex("mod(-7, 3)", "-1"), ex("mod(5.5, 2)", "1.5")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				for i, a := range args {
					if !a.IsNumber() {
						return missing, argErr(i, "a number", a)
					}
				}
				return value.Mod(args[0], args[1])
			},
		},
		{
			Name: "pi", Category: CatMath, Returns: TFloat,
			Description:   "The constant π.",
			Examples:      []Example{ex("pi()", "3.141592653589793")},
			Deterministic: true,
			Exec: func(*Context, []value.Value) (value.Value, error) {
				return value.FloatValue(math.Pi), nil
			},
		},
		binaryFloat("power", "x raised to the power y.", "x", "y", math.Pow, ex("power(2, 10)", "1024"), ex("pow(9, 0.5)", "3")).alias("pow"),
		{
			Name: "rand", Category: CatMath, Returns: TFloat,
			Description: "A random number in [0, 1).",
			Examples:    []Example{{SQL: "rand()", Result: "0.5", Varies: true}},
			Exec: func(*Context, []value.Value) (value.Value, error) {
				return value.FloatValue(rand.Float64()), nil
			},
		},
		{
			Name: "round", Category: CatMath,
			Params:        []Param{param("x", TNumber), optional("digits", TInt)},
			Returns:       TNumber,
			Description:   "Rounds x half away from zero, to digits decimal places (default 0; negative rounds to tens, hundreds...). A bigint stays a bigint.",
			Examples:      []Example{ex("round(2.5)", "3"), ex("round(3.14159, 2)", "3.14"), ex("round(1250, -2)", "1300")},
			Deterministic: true, Exec: execRound,
		},
		{
			Name: "sign", Category: CatMath, Params: []Param{param("x", TNumber)}, Returns: TInt,
			Description:   "-1, 0 or 1 after the sign of x.",
			Examples:      []Example{ex("sign(-3.5)", "-1"), ex("sign(0)", "0")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				x, err := toFloat(0, args[0])
				if err != nil {
					return missing, err
				}
				switch {
				case x > 0:
					return value.IntValue(1), nil
				case x < 0:
					return value.IntValue(-1), nil
				}
				return value.IntValue(0), nil
			},
		},
		unaryFloat("sin", "Sine of an angle in radians.", math.Sin, ex("sin(0)", "0")),
		unaryFloat("sinh", "Hyperbolic sine.", math.Sinh, ex("sinh(0)", "0")),
		unaryFloat("sqrt", "Square root; null for negative numbers.", math.Sqrt, ex("sqrt(16)", "4")),
		unaryFloat("tan", "Tangent of an angle in radians.", math.Tan, ex("tan(0)", "0")),
		unaryFloat("tanh", "Hyperbolic tangent.", math.Tanh, ex("tanh(0)", "0")),
		{
			Name: "conv", Category: CatMath,
			Params:        []Param{param("num", TString|TInt), param("from_base", TInt), param("to_base", TInt)},
			Returns:       TString,
			Description:   "Converts a number written in base from_base into base to_base (2 to 36); a negative to_base reads the number as signed. Null for an invalid base.",
			Examples:      []Example{ex(`conv("a", 16, 2)`, `"1010"`), ex("conv(255, 10, 16)", `"FF"`), ex("conv(-17, 10, -16)", `"-11"`)},
			Deterministic: true,
			Validate:      validateConvBases,
			Exec:          execConv,
		},
	}
}

// alias adds alias names to a spec built by a helper.
func (s *Spec) alias(names ...string) *Spec {
	s.Aliases = append(s.Aliases, names...)
	return s
}

func unaryFloat(name, desc string, f func(float64) float64, examples ...Example) *Spec {
	return &Spec{
		Name: name, Category: CatMath, Params: []Param{param("x", TNumber)}, Returns: TFloat,
		Description: desc, Examples: examples, Deterministic: true,
		Exec: func(_ *Context, args []value.Value) (value.Value, error) {
			switch v := args[0]; v.Kind() {
			case value.Float:
				return floatResult(f(v.Float())), nil
			case value.Int:
				return floatResult(f(float64(v.Int()))), nil
			case value.Missing, value.Null:
				return missing, nil
			default:
				return missing, argErr(0, "a number", v)
			}
		},
	}
}

func binaryFloat(name, desc, p1, p2 string, f func(a, b float64) float64, examples ...Example) *Spec {
	return &Spec{
		Name: name, Category: CatMath, Params: []Param{param(p1, TNumber), param(p2, TNumber)}, Returns: TFloat,
		Description: desc, Examples: examples, Deterministic: true,
		Exec: func(_ *Context, args []value.Value) (value.Value, error) {
			if anyNil(args) {
				return missing, nil
			}
			a, err := toFloat(0, args[0])
			if err != nil {
				return missing, err
			}
			b, err := toFloat(1, args[1])
			if err != nil {
				return missing, err
			}
			return floatResult(f(a, b)), nil
		},
	}
}

func bitSpec(name, desc string, f func(a, b int64) int64, examples ...Example) *Spec {
	return &Spec{
		Name: name, Category: CatMath, Params: []Param{param("x", TInt), param("y", TInt)}, Returns: TInt,
		Description: desc + " Floats with an integral value are accepted.", Examples: examples, Deterministic: true,
		Exec: func(_ *Context, args []value.Value) (value.Value, error) {
			if anyNil(args) {
				return missing, nil
			}
			a, err := toInt(0, args[0])
			if err != nil {
				return missing, err
			}
			b, err := toInt(1, args[1])
			if err != nil {
				return missing, err
			}
			return value.IntValue(f(a, b)), nil
		},
	}
}

func roundingSpec(name string, aliases []string, desc string, f func(float64) float64, examples ...Example) *Spec {
	return &Spec{
		Name: name, Aliases: aliases, Category: CatMath, Params: []Param{param("x", TNumber)}, Returns: TNumber,
		Description: desc, Examples: examples, Deterministic: true,
		Exec: func(_ *Context, args []value.Value) (value.Value, error) {
			switch v := args[0]; v.Kind() {
			case value.Int:
				return v, nil
			case value.Float:
				return floatResult(f(v.Float())), nil
			case value.Missing, value.Null:
				return missing, nil
			default:
				return missing, argErr(0, "a number", v)
			}
		},
	}
}

func execAbs(_ *Context, args []value.Value) (value.Value, error) {
	switch v := args[0]; v.Kind() {
	case value.Int:
		i := v.Int()
		if i >= 0 {
			return v, nil
		}
		if i == math.MinInt64 {
			return missing, errIntOverflow
		}
		return value.IntValue(-i), nil
	case value.Float:
		return value.FloatValue(math.Abs(v.Float())), nil
	case value.Missing, value.Null:
		return missing, nil
	default:
		return missing, argErr(0, "a number", v)
	}
}

// pow10 holds the powers of ten round uses without calling math.Pow.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func execRound(_ *Context, args []value.Value) (value.Value, error) {
	if anyNil(args) {
		return missing, nil
	}
	var digits int64
	if len(args) > 1 {
		d, err := toInt(1, args[1])
		if err != nil {
			return missing, err
		}
		digits = d
	}
	switch v := args[0]; v.Kind() {
	case value.Int:
		if digits >= 0 {
			return v, nil
		}
		return roundInt(v.Int(), -digits)
	case value.Float:
		return floatResult(roundFloat(v.Float(), digits)), nil
	default:
		return missing, argErr(0, "a number", v)
	}
}

// roundFloat rounds x half away from zero to digits decimals. The scaled
// product is rounded as a float, so round(2.675, 2) is 2.68 like in
// eKuiper (2.675 * 100 is 267.5 in float64).
func roundFloat(x float64, digits int64) float64 {
	if digits == 0 {
		return math.Round(x)
	}
	if digits > 0 {
		if digits >= int64(len(pow10)) {
			return x
		}
		p := pow10[digits]
		scaled := x * p
		if math.IsInf(scaled, 0) {
			return x
		}
		return math.Round(scaled) / p
	}
	if -digits >= int64(len(pow10)) {
		return 0
	}
	p := pow10[-digits]
	return math.Round(x/p) * p
}

// roundInt rounds i half away from zero to a multiple of 10^n (n > 0).
func roundInt(i, n int64) (value.Value, error) {
	if n >= 19 {
		if abs64(i) >= 5e18 || i == math.MinInt64 {
			return missing, errIntOverflow
		}
		return value.IntValue(0), nil
	}
	p := int64(1)
	for range n {
		p *= 10
	}
	q, r := i/p, i%p
	if 2*abs64(r) >= p {
		if i < 0 {
			q--
		} else {
			q++
		}
	}
	if q > math.MaxInt64/p || q < math.MinInt64/p {
		return missing, errIntOverflow
	}
	return value.IntValue(q * p), nil
}

func validateConvBases(args []Arg) error {
	for i := 1; i <= 2; i++ {
		if v, ok := constArg(args, i); ok && v.Kind() == value.Int {
			if b := abs64(v.Int()); b < 2 || b > 36 {
				return errors.New("argument " + strconv.Itoa(i+1) + ": base must be between 2 and 36 (or -36 and -2)")
			}
		}
	}
	return nil
}

func abs64(i int64) int64 {
	if i < 0 {
		return -i
	}
	return i
}

// execConv converts between bases like MySQL's CONV: the longest valid
// prefix of num is read; an empty prefix reads as 0.
func execConv(_ *Context, args []value.Value) (value.Value, error) {
	if anyNil(args) {
		return missing, nil
	}
	from, err := toInt(1, args[1])
	if err != nil {
		return missing, err
	}
	to, err := toInt(2, args[2])
	if err != nil {
		return missing, err
	}
	signedOut := to < 0
	from, to = abs64(from), abs64(to)
	if from < 2 || from > 36 || to < 2 || to > 36 {
		return missing, nil
	}
	var text string
	switch v := args[0]; v.Kind() {
	case value.String:
		text = strings.TrimSpace(v.Str())
	case value.Int:
		text = strconv.FormatInt(v.Int(), 10)
		if from != 10 {
			text = strings.TrimPrefix(text, "-")
		}
	case value.Float:
		i, err := toInt(0, v)
		if err != nil {
			return missing, err
		}
		text = strconv.FormatInt(i, 10)
	default:
		return missing, argErr(0, "a string or an integer", v)
	}
	neg := false
	if text != "" && (text[0] == '-' || text[0] == '+') {
		neg = text[0] == '-'
		text = text[1:]
	}
	n := 0
	for n < len(text) && digitValue(text[n]) < int(from) {
		n++
	}
	var u uint64
	if n > 0 {
		u, err = strconv.ParseUint(text[:n], int(from), 64)
		if err != nil {
			u = math.MaxUint64 // saturate like MySQL
		}
	}
	var out string
	switch {
	case signedOut:
		s := int64(u)
		if u > math.MaxInt64 {
			s = math.MaxInt64
		}
		if neg {
			s = -s
		}
		out = strconv.FormatInt(s, int(to))
	case neg:
		out = strconv.FormatUint(-u, int(to))
	default:
		out = strconv.FormatUint(u, int(to))
	}
	return value.StringValue(strings.ToUpper(out)), nil
}

// digitValue returns the value of a base-36 digit, or 99.
func digitValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}
