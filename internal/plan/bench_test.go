package plan_test

import (
	"testing"

	"github.com/kuiperio/kuiper/internal/catalog"
	"github.com/kuiperio/kuiper/internal/expr"
	"github.com/kuiperio/kuiper/internal/format"
	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/value"
)

// BenchmarkPipeline measures the in-process path of a rule for one
// message: decode → filter → project → encode, as a rule's goroutine runs
// it (without the MQTT client).
func BenchmarkPipeline(b *testing.B) {
	cat := fakeCatalog{}
	for _, s := range []string{
		`CREATE STREAM demo () WITH (DATASOURCE="demo")`,
		`CREATE STREAM typed (temperature float, humidity float, ts bigint) WITH (DATASOURCE="typed")`,
	} {
		d, err := catalog.Parse(s)
		if err != nil {
			b.Fatal(err)
		}
		cat[d.Name] = d
	}
	msg := []byte(`{"temperature":63.07,"humidity":12.5,"ts":1764026000123}`)
	for _, bc := range []struct{ name, sql string }{
		{"filter_star", `SELECT * FROM demo WHERE temperature > 50`},
		{"filter_project", `SELECT temperature * 1.8 + 32 AS f, ts FROM demo WHERE temperature > 50`},
		{"typed_filter_project", `SELECT temperature, humidity FROM typed WHERE temperature > 50 AND humidity < 90`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			stmt, err := plan.Parse(bc.sql)
			if err != nil {
				b.Fatal(err)
			}
			p, err := plan.Build(bc.sql, stmt, cat, funcs, plan.Options{})
			if err != nil {
				b.Fatal(err)
			}
			dec, err := format.NewDecoder("json", format.Options{Fields: p.Sources[0].Fields, Schema: p.Sources[0].Def.Schema()})
			if err != nil {
				b.Fatal(err)
			}
			ctx := &expr.Ctx{Rows: make([]*value.Row, 1), Aliases: make([]value.Value, p.NumAliases), Slots: make([]value.Value, p.NumSlots)}
			var out []byte
			row := &value.Row{}
			emit := func(o *value.Object) {
				row.Msg = o
				ctx.Rows[0] = row
				v, err := p.Where(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if ok, _ := value.ToBool(v); !ok {
					return
				}
				res, err := expr.Project(p.Fields, ctx, false)
				if err != nil {
					b.Fatal(err)
				}
				out = res.AppendJSON(out[:0], value.SortKeys)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				if err := dec.Decode(msg, emit); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
