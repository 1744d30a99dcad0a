package function

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/kuiperio/kuiper/internal/value"
)

// Aggregate functions fold the rows of a group. The planner creates one
// Aggregator per group (and window) with NewAggregator and calls Add with
// the evaluated arguments of every row, then Result once.
//
// Nil values are skipped. count(*) gets no arguments at all; other
// functions given * (collect(*), merge_agg(*), last_value(*, true)) get
// the whole row as an object value. deduplicate sets RowArg: the planner
// appends the row after its declared arguments.
//
// count, sum, avg, min, max and last_value keep O(1) state; stddev, var
// and their sample variants use Welford's online algorithm; collect,
// deduplicate, merge_agg, median and the percentiles keep the values.

const tOrdered = TNumber | TString | TTime

func aggregateSpecs() []*Spec {
	return []*Spec{
		aggSpec(&Spec{
			Name: "count", Params: []Param{optional("x", TAny)}, Returns: TInt,
			Description: "Number of rows with a non-nil x; count(*) counts every row.",
			Examples:    []Example{exIn("count(*)", `[{"v": 1}, {"v": null}, {}]`, "3"), exIn("count(v)", `[{"v": 1}, {"v": null}, {}]`, "1")},
		}, func(*Spec, []Arg) Aggregator { return &countAgg{} }),
		aggSpec(&Spec{
			Name: "sum", Params: []Param{param("x", TNumber)}, Returns: TNumber,
			Description: "Sum of the values: a bigint while every value is a bigint (a float once one is not, or on overflow); null for no values.",
			Examples:    []Example{exIn("sum(v)", `[{"v": 1}, {"v": 2}, {"v": null}]`, "3")},
		}, func(s *Spec, _ []Arg) Aggregator { return &sumAgg{spec: s} }),
		aggSpec(&Spec{
			Name: "avg", Params: []Param{param("x", TNumber)}, Returns: TFloat,
			Description: "Average of the values, as a float; null for no values.",
			Examples:    []Example{exIn("avg(v)", `[{"v": 1}, {"v": 2}, {"x": 9}]`, "1.5")},
		}, func(s *Spec, _ []Arg) Aggregator { return &avgAgg{sum: sumAgg{spec: s}} }),
		aggSpec(&Spec{
			Name: "max", Params: []Param{param("x", tOrdered)}, Returns: tOrdered,
			Description: "Largest value (numbers, strings or datetimes; not mixed); null for no values.",
			Examples:    []Example{exIn("max(v)", `[{"v": 3}, {"v": 10.5}, {"v": 2}]`, "10.5")},
		}, func(s *Spec, _ []Arg) Aggregator { return &extremeAgg{spec: s, sign: 1} }),
		aggSpec(&Spec{
			Name: "min", Params: []Param{param("x", tOrdered)}, Returns: tOrdered,
			Description: "Smallest value (numbers, strings or datetimes; not mixed); null for no values.",
			Examples:    []Example{exIn("min(v)", `[{"v": "b"}, {"v": "a"}]`, `"a"`)},
		}, func(s *Spec, _ []Arg) Aggregator { return &extremeAgg{spec: s, sign: -1} }),
		aggSpec(&Spec{
			Name: "collect", Params: []Param{param("x", TAny)}, Returns: TArray,
			Description: "Array of the values of every row, nil included; collect(*) collects the rows.",
			Examples: []Example{
				exIn("collect(v)", `[{"v": 1}, {"k": "b"}, {"v": 3}]`, "[1,null,3]"),
				exIn("collect(*)", `[{"v": 1}, {"v": 2}]`, `[{"v":1},{"v":2}]`),
			},
		}, func(*Spec, []Arg) Aggregator { return &collectAgg{} }),
		aggSpec(&Spec{
			Name: "deduplicate", Params: []Param{param("x", TAny), param("all", TBool)}, Returns: TArray | TObject,
			RowArg:      true,
			Description: "With all true, the rows whose x was not seen in an earlier row of the group; with all false, the last row if its x is new, else null.",
			Examples: []Example{
				exIn("deduplicate(v, true)", `[{"v": 1}, {"v": 2}, {"v": 1}, {"v": 3}]`, `[{"v":1},{"v":2},{"v":3}]`),
				exIn("deduplicate(v, false)", `[{"v": 1}, {"v": 2}, {"v": 3}]`, `{"v":3}`),
			},
			Validate: func(args []Arg) error {
				if len(args) > 1 && !args[1].Const {
					return errors.New("argument 2 (all) must be a boolean literal")
				}
				return nil
			},
		}, func(s *Spec, args []Arg) Aggregator {
			d := &dedupAgg{seen: newValueSet(8), all: true}
			if v, ok := constArg(args, 1); ok && v.Kind() == value.Bool {
				d.all = v.Bool()
			}
			return d
		}),
		aggSpec(&Spec{
			Name: "last_value", Params: []Param{param("x", TAny), param("ignore_null", TBool)}, Returns: TAny,
			Description: "Value of the last row of the group; with ignore_null true, the last non-nil value.",
			Examples: []Example{
				exIn("last_value(v, true)", `[{"v": 1}, {"v": 2}, {"v": null}]`, "2"),
				exIn("last_value(v, false)", `[{"v": 1}, {"v": 2}, {"v": null}]`, "null"),
			},
		}, func(s *Spec, args []Arg) Aggregator {
			a := &lastAgg{spec: s}
			if v, ok := constArg(args, 1); ok {
				a.ignoreNull, a.fixed = v.Bool(), true
			}
			return a
		}),
		aggSpec(&Spec{
			Name: "merge_agg", Params: []Param{param("x", TObject)}, Returns: TObject,
			Description: "Merges the objects of the group into one; a later row wins for a repeated key. Non-object values are ignored.",
			Examples:    []Example{exIn("merge_agg(*)", `[{"a": 1, "b": 2}, {"b": 5, "c": 6}]`, `{"a":1,"b":5,"c":6}`)},
		}, func(*Spec, []Arg) Aggregator { return &mergeAgg{o: value.NewObject(8)} }),
		aggSpec(&Spec{
			Name: "median", Params: []Param{param("x", TNumber)}, Returns: TFloat,
			Description: "Median of the values (the mean of the middle two for an even count).",
			Examples:    []Example{exIn("median(v)", `[{"v": 1}, {"v": 7}, {"v": 3}, {"v": 4}]`, "3.5")},
		}, func(s *Spec, _ []Arg) Aggregator { return &percentileAgg{spec: s, p: 0.5, fixed: true} }),
		momentSpec("stddev", "Population standard deviation.", momentStddev, "3.1622776601683795"),
		momentSpec("stddevs", "Sample standard deviation; null for fewer than two values.", momentStddevs, "3.5355339059327378"),
		momentSpec("var", "Population variance.", momentVar, "10"),
		momentSpec("vars", "Sample variance; null for fewer than two values.", momentVars, "12.5"),
		aggSpec(&Spec{
			Name: "percentile_cont", Params: []Param{param("x", TNumber), param("p", TNumber)}, Returns: TFloat,
			Description: "Continuous percentile: the value at fraction p (0 to 1) of the sorted values, interpolating linearly between neighbours.",
			Examples:    []Example{exIn("percentile_cont(v, 0.5)", `[{"v": 1}, {"v": 2}, {"v": 3}, {"v": 4}]`, "2.5"), exIn("percentile_cont(v, 0.25)", `[{"v": 1}, {"v": 2}, {"v": 3}, {"v": 4}, {"v": 5}]`, "2")},
			Validate:    validatePercentile,
		}, func(s *Spec, args []Arg) Aggregator { return newPercentile(s, args, false) }),
		aggSpec(&Spec{
			Name: "percentile_disc", Params: []Param{param("x", TNumber), param("p", TNumber)}, Returns: TNumber,
			Description: "Discrete percentile: the first sorted value whose cumulative distribution reaches p (0 to 1).",
			Examples:    []Example{exIn("percentile_disc(v, 0.5)", `[{"v": 1}, {"v": 2}, {"v": 3}, {"v": 4}]`, "2"), exIn("percentile_disc(v, 0.6)", `[{"v": 1}, {"v": 2}, {"v": 3}, {"v": 4}]`, "3")},
			Validate:    validatePercentile,
		}, func(s *Spec, args []Arg) Aggregator { return newPercentile(s, args, true) }),
		{
			Name: "last_agg_hit_count", Category: CatAggregate, Kind: Special, Returns: TInt,
			Description: "In an aggregate rule, how many times the rule's aggregate condition (HAVING) has held so far, counting the current window. Evaluated by the planner.",
			Examples:    []Example{ex("last_agg_hit_count()", "2")},
		},
		{
			Name: "last_agg_hit_time", Category: CatAggregate, Kind: Special, Returns: TInt,
			Description: "In an aggregate rule, the Unix milliseconds of the last time the rule's aggregate condition (HAVING) held. Evaluated by the planner.",
			Examples:    []Example{ex("last_agg_hit_time()", "1700000000000")},
		},
	}
}

// aggSpec completes an aggregate spec; newAgg receives the spec so the
// aggregator can name it in errors.
func aggSpec(s *Spec, newAgg func(s *Spec, args []Arg) Aggregator) *Spec {
	s.Category = CatAggregate
	s.Kind = Aggregate
	s.Deterministic = true
	s.NewAggregator = func(args []Arg) Aggregator { return newAgg(s, args) }
	return s
}

type countAgg struct{ n int64 }

func (a *countAgg) Add(args []value.Value) error {
	if len(args) == 0 || !args[0].IsNil() {
		a.n++
	}
	return nil
}

func (a *countAgg) Result() (value.Value, error) { return value.IntValue(a.n), nil }

// sumAgg sums bigints exactly until a float (or an overflow) turns the sum
// into a float.
type sumAgg struct {
	spec    *Spec
	n       int64
	isFloat bool
	i       int64
	f       float64
}

func (a *sumAgg) Add(args []value.Value) error {
	v := args[0]
	switch v.Kind() {
	case value.Missing, value.Null:
		return nil
	case value.Int:
		x := v.Int()
		if !a.isFloat {
			s := a.i + x
			if (x > 0 && s < a.i) || (x < 0 && s > a.i) {
				a.isFloat, a.f = true, float64(a.i) // overflow: go on in floats
			} else {
				a.i = s
				a.n++
				return nil
			}
		}
		a.f += float64(x)
	case value.Float:
		if !a.isFloat {
			a.isFloat, a.f = true, float64(a.i)
		}
		a.f += v.Float()
	default:
		return a.spec.annotate(argErr(0, "a number", v))
	}
	a.n++
	return nil
}

func (a *sumAgg) Result() (value.Value, error) {
	switch {
	case a.n == 0:
		return missing, nil
	case a.isFloat:
		return floatResult(a.f), nil
	}
	return value.IntValue(a.i), nil
}

func (a *sumAgg) total() float64 {
	if a.isFloat {
		return a.f
	}
	return float64(a.i)
}

type avgAgg struct{ sum sumAgg }

func (a *avgAgg) Add(args []value.Value) error { return a.sum.Add(args) }

func (a *avgAgg) Result() (value.Value, error) {
	if a.sum.n == 0 {
		return missing, nil
	}
	return floatResult(a.sum.total() / float64(a.sum.n)), nil
}

type extremeAgg struct {
	spec *Spec
	sign int
	best value.Value
}

func (a *extremeAgg) Add(args []value.Value) error {
	v := args[0]
	if v.IsNil() {
		return nil
	}
	switch v.Kind() {
	case value.Int, value.Float, value.String, value.Time:
	default:
		return a.spec.annotate(argErr(0, "a number, string or datetime", v))
	}
	if a.best.IsNil() {
		a.best = v
		return nil
	}
	c, err := value.Compare(v, a.best)
	if err != nil {
		return a.spec.annotate(err)
	}
	if c*a.sign > 0 {
		a.best = v
	}
	return nil
}

func (a *extremeAgg) Result() (value.Value, error) { return a.best, nil }

type collectAgg struct{ vals []value.Value }

func (a *collectAgg) Add(args []value.Value) error {
	v := value.NullValue()
	if len(args) > 0 && !args[0].IsMissing() {
		v = args[0]
	}
	a.vals = append(a.vals, v)
	return nil
}

func (a *collectAgg) Result() (value.Value, error) {
	return value.ArrayValue(slices.Clip(a.vals)), nil
}

type dedupAgg struct {
	seen *valueSet
	all  bool
	rows []value.Value
	last value.Value // for all=false: the last row if its key was new
}

func (a *dedupAgg) Add(args []value.Value) error {
	if len(args) < 3 {
		return errors.New("function deduplicate: the planner must append the row")
	}
	if v := args[1]; v.Kind() == value.Bool {
		a.all = v.Bool()
	}
	row := args[len(args)-1]
	if a.seen.add(args[0]) {
		a.rows = append(a.rows, row)
		a.last = row
	} else {
		a.last = missing
	}
	return nil
}

func (a *dedupAgg) Result() (value.Value, error) {
	if !a.all {
		return a.last, nil
	}
	if a.rows == nil {
		return value.ArrayValue([]value.Value{}), nil
	}
	return value.ArrayValue(slices.Clip(a.rows)), nil
}

type lastAgg struct {
	spec       *Spec
	ignoreNull bool
	fixed      bool // ignoreNull came from a literal
	v          value.Value
}

func (a *lastAgg) Add(args []value.Value) error {
	ignore := a.ignoreNull
	if !a.fixed && len(args) > 1 {
		b, err := toBool(1, args[1])
		if err != nil {
			return a.spec.annotate(err)
		}
		ignore = b
	}
	v := args[0]
	if v.IsNil() {
		if ignore {
			return nil
		}
		v = value.NullValue()
	}
	a.v = v
	return nil
}

func (a *lastAgg) Result() (value.Value, error) { return a.v, nil }

type mergeAgg struct{ o *value.Object }

func (a *mergeAgg) Add(args []value.Value) error {
	if args[0].Kind() != value.Obj {
		return nil
	}
	src := args[0].Object()
	for i, k := range src.Keys {
		if !src.Vals[i].IsMissing() {
			a.o.Set(k, src.Vals[i])
		}
	}
	return nil
}

// Result returns a copy: later rows must not change a result already
// emitted.
func (a *mergeAgg) Result() (value.Value, error) { return value.ObjectValue(a.o.Clone()), nil }

// Welford's online mean and variance.

type momentKind int

const (
	momentStddev momentKind = iota
	momentStddevs
	momentVar
	momentVars
)

type momentAgg struct {
	spec *Spec
	kind momentKind
	n    float64
	mean float64
	m2   float64
}

func momentSpec(name, desc string, kind momentKind, example string) *Spec {
	return aggSpec(&Spec{
		Name: name, Params: []Param{param("x", TNumber)}, Returns: TFloat,
		Description: desc,
		Examples:    []Example{exIn(name+"(v)", `[{"v": 1}, {"v": 2}, {"v": 3}, {"v": 4}, {"v": 10}]`, example)},
	}, func(s *Spec, _ []Arg) Aggregator { return &momentAgg{spec: s, kind: kind} })
}

func (a *momentAgg) Add(args []value.Value) error {
	v := args[0]
	if v.IsNil() {
		return nil
	}
	x, err := toFloat(0, v)
	if err != nil {
		return a.spec.annotate(err)
	}
	a.n++
	d := x - a.mean
	a.mean += d / a.n
	a.m2 += d * (x - a.mean)
	return nil
}

func (a *momentAgg) Result() (value.Value, error) {
	sample := a.kind == momentStddevs || a.kind == momentVars
	if a.n == 0 || (sample && a.n < 2) {
		return missing, nil
	}
	div := a.n
	if sample {
		div--
	}
	r := a.m2 / div
	if a.kind == momentStddev || a.kind == momentStddevs {
		r = math.Sqrt(r)
	}
	return floatResult(r), nil
}

// percentileAgg keeps the values to sort them in Result.
type percentileAgg struct {
	spec  *Spec
	p     float64
	fixed bool // p came from a literal (or median)
	disc  bool
	vals  []float64
	ints  bool // every value was a bigint (percentile_disc returns one)
}

func newPercentile(s *Spec, args []Arg, disc bool) *percentileAgg {
	a := &percentileAgg{spec: s, disc: disc, ints: true}
	if v, ok := constArg(args, 1); ok && v.IsNumber() {
		a.p, a.fixed = v.Num(), true
	}
	return a
}

func validatePercentile(args []Arg) error {
	if v, ok := constArg(args, 1); ok && v.IsNumber() && (v.Num() < 0 || v.Num() > 1) {
		return fmt.Errorf("argument 2 (p) must be between 0 and 1, got %s", describe(v))
	}
	return nil
}

func (a *percentileAgg) Add(args []value.Value) error {
	if !a.fixed && len(args) > 1 && !args[1].IsNil() {
		p, err := toFloat(1, args[1])
		if err != nil {
			return a.spec.annotate(err)
		}
		if p < 0 || p > 1 {
			return a.spec.annotate(fmt.Errorf("p must be between 0 and 1, got %v", p))
		}
		a.p, a.fixed = p, true
	}
	v := args[0]
	if v.IsNil() {
		return nil
	}
	x, err := toFloat(0, v)
	if err != nil {
		return a.spec.annotate(err)
	}
	a.ints = a.ints && v.Kind() == value.Int
	a.vals = append(a.vals, x)
	return nil
}

func (a *percentileAgg) Result() (value.Value, error) {
	n := len(a.vals)
	if n == 0 {
		return missing, nil
	}
	slices.Sort(a.vals)
	if a.disc {
		i := int(math.Ceil(a.p*float64(n))) - 1
		i = max(0, min(i, n-1))
		if a.ints {
			return value.IntValue(int64(a.vals[i])), nil
		}
		return value.FloatValue(a.vals[i]), nil
	}
	pos := a.p * float64(n-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, n-1)
	return floatResult(a.vals[lo] + (a.vals[hi]-a.vals[lo])*(pos-float64(lo))), nil
}
