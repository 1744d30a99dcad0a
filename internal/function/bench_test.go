package function

import (
	"testing"

	"github.com/kuiperio/kuiper/internal/value"
)

// benchFn measures one call site of a scalar function, as a rule runs it.
func benchFn(b *testing.B, name string, args ...value.Value) {
	b.Helper()
	s, ok := testRegistry().Lookup(name)
	if !ok {
		b.Fatalf("no function %s", name)
	}
	ctx := exampleContext()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Exec(ctx, args); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAbs(b *testing.B)   { benchFn(b, "abs", vf(-1.5)) }
func BenchmarkRound(b *testing.B) { benchFn(b, "round", vf(3.14159), vi(2)) }
func BenchmarkSqrt(b *testing.B)  { benchFn(b, "sqrt", vf(2)) }
func BenchmarkConcat(b *testing.B) {
	benchFn(b, "concat", vs("device-"), vs("0042"), vs("/temperature"))
}
func BenchmarkLower(b *testing.B)          { benchFn(b, "lower", vs("Temperature Sensor")) }
func BenchmarkLowerUnchanged(b *testing.B) { benchFn(b, "lower", vs("temperature sensor")) }
func BenchmarkCastToFloat(b *testing.B)    { benchFn(b, "cast", vi(42), vs("float")) }
func BenchmarkCastToString(b *testing.B)   { benchFn(b, "cast", vf(42.5), vs("string")) }
func BenchmarkFormatTime(b *testing.B) {
	benchFn(b, "format_time", vi(1700000000123), vs("yyyy-MM-dd HH:mm:ss.SSS"))
}
func BenchmarkJSONPathQuery(b *testing.B) {
	doc, err := parseJSON(`{"store": {"book": [{"title": "A", "price": 8.95}, {"title": "B", "price": 12.99}, {"title": "C", "price": 22.5}]}}`)
	if err != nil {
		b.Fatal(err)
	}
	benchFn(b, "json_path_query", doc, vs("$.store.book[?(@.price > 10)].title"))
}

func BenchmarkJSONPathQueryDefinite(b *testing.B) {
	doc, err := parseJSON(`{"store": {"book": [{"title": "A", "price": 8.95}, {"title": "B", "price": 12.99}]}}`)
	if err != nil {
		b.Fatal(err)
	}
	benchFn(b, "json_path_query", doc, vs("$.store.book[1].title"))
}

func BenchmarkSumAggregate(b *testing.B) {
	s, _ := testRegistry().Lookup("sum")
	agg := s.NewAggregator([]Arg{col})
	args := []value.Value{vf(1.5)}
	b.ReportAllocs()
	for b.Loop() {
		_ = agg.Add(args)
	}
}

func BenchmarkLag(b *testing.B) {
	s, _ := testRegistry().Lookup("lag")
	state := s.NewState([]Arg{col})
	args := []value.Value{vf(1.5)}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = s.ExecAnalytic(state, args, true)
	}
}
