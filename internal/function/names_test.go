package function

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// specNames is SPEC §2: the 180 documented names by doc category
// (format_time is listed under both string and date/time), plus
// object_size, which eKuiper registers without docs.
var specNames = map[string]string{
	"aggregate":    "avg count max min sum collect deduplicate last_value merge_agg median stddev stddevs var vars percentile_cont percentile_disc last_agg_hit_count last_agg_hit_time",
	"math":         "abs acos asin atan atan2 bitand bitor bitxor bitnot ceil cos cosh exp ln log mod power rand round sign sin sinh sqrt tan tanh ceiling floor pi pow cot radians degrees conv",
	"string":       "concat endswith format_time indexof length lower lpad ltrim numbytes regexp_matches regexp_replace regexp_substr rpad rtrim substring startswith split_value trim upper reverse format",
	"datetime":     "now current_timestamp local_time local_timestamp cur_date current_date cur_time current_time format_time date_calc date_diff day_name day_of_month day day_of_week day_of_year from_days from_unix_time hour last_day microsecond minute month month_name second",
	"conversion":   "cast chr encode trunc convert_tz to_seconds decode compress decompress hex2dec dec2hex",
	"hashing":      "md5 sha1 sha256 sha384 sha512 crc32",
	"json":         "json_path_exists json_path_query json_path_query_first to_json parse_json",
	"array":        "cardinality array_position element_at array_contains array_create array_remove array_last_position array_contains_any array_intersect array_union array_max array_min array_except repeat sequence array_cardinality array_flatten array_distinct array_map array_join array_shuffle array_concat array_sort kvpair_array_to_obj",
	"object":       "keys values object zip items object_construct object_concat erase object_pick obj_to_kvpair_array object_size",
	"analytic":     "lag latest changed_col had_changed acc_sum acc_max acc_min acc_count acc_avg",
	"multi-column": "changed_cols",
	"multi-row":    "unnest extract",
	"window":       "row_number",
	"other":        "isnull newuuid mqtt tstamp meta coalesce event_time rule_id rule_start last_hit_count last_hit_time window_start window_end get_keyed_state delay",
}

var specCounts = map[string]int{
	"aggregate": 18, "math": 33, "string": 21, "datetime": 25, "conversion": 11, "hashing": 6, "json": 5,
	"array": 24, "object": 11, "analytic": 9, "multi-column": 1, "multi-row": 2, "window": 1, "other": 15,
}

func TestBuiltins_SpecNames(t *testing.T) {
	reg := Builtins()
	unique := map[string]bool{}
	for cat, names := range specNames {
		list := strings.Fields(names)
		require.Len(t, list, specCounts[cat], cat)
		for _, n := range list {
			unique[n] = true
			s, ok := reg.Lookup(n)
			if !assertTrue(t, ok, "%s (%s) is registered", n, cat) {
				continue
			}
			if n == "format_time" {
				continue // listed under two categories
			}
			require.Equal(t, cat, s.Category, "category of %s", n)
		}
	}
	require.Len(t, unique, 181, "180 documented names plus object_size")
}

func assertTrue(t *testing.T, ok bool, msg string, args ...any) bool {
	t.Helper()
	if !ok {
		t.Errorf(msg, args...)
	}
	return ok
}

// TestBuiltins_SpecsComplete checks that every spec is fully described and
// evaluable by the planner.
func TestBuiltins_SpecsComplete(t *testing.T) {
	for _, s := range Builtins().All() {
		t.Run(s.Name, func(t *testing.T) {
			require.NotEmpty(t, s.Category)
			require.Contains(t, Categories(), s.Category)
			require.NotEmpty(t, s.Description)
			require.NotZero(t, s.Returns)
			require.NotEmpty(t, s.Examples)
			for i, p := range s.Params {
				require.NotEmpty(t, p.Name)
				require.NotZero(t, p.Type)
				if p.Variadic {
					require.Equal(t, len(s.Params)-1, i, "only the last parameter is variadic")
				}
				if i > 0 && s.Params[i-1].Optional {
					require.True(t, p.Optional, "optional parameters are trailing")
				}
			}
			switch s.Kind {
			case Scalar:
				require.NotNil(t, s.Exec)
			case Aggregate:
				if s.Category == CatAggregate && strings.HasPrefix(s.Name, "last_agg_hit") {
					break
				}
				require.NotNil(t, s.NewAggregator)
			case Analytic:
				require.NotNil(t, s.NewState)
				require.NotNil(t, s.ExecAnalytic)
			}
		})
	}
}
