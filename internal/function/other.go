package function

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/kuiperio/kuiper/internal/value"
)

// maxDelay bounds delay(): a longer pause is a mistake, not a rule.
const maxDelay = 10 * time.Minute

// keyedStateTypes are the type names get_keyed_state accepts.
var keyedStateTypes = []string{"bigint", "float", "string", "boolean", "datetime"}

func otherSpecs() []*Spec {
	return []*Spec{
		{
			Name: "isnull", Category: CatOther, Params: []Param{param("x", TAny)}, Returns: TBool,
			Description:   "Whether x is null or missing.",
			Examples:      []Example{ex("isnull(null)", "true"), ex("isnull(0)", "false"), exIn("isnull(nosuch)", `[{"x": 1}]`, "true")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				return value.BoolValue(args[0].IsNil()), nil
			},
		},
		{
			Name: "coalesce", Category: CatOther, Params: []Param{variadic("x", TAny)}, Returns: TAny,
			Description:   "The first argument that is not nil; null when all are.",
			Examples:      []Example{ex("coalesce(null, 5, 0)", "5"), exIn("coalesce(nosuch, n)", `[{"n": null}]`, "null")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				for _, a := range args {
					if !a.IsNil() {
						return a, nil
					}
				}
				return missing, nil
			},
		},
		{
			Name: "newuuid", Category: CatOther, Returns: TString,
			Description: "A random (version 4) UUID.",
			Examples:    []Example{{SQL: "newuuid()", Result: `"5d0b9c7e-1f0a-4a53-9b8e-2f3c4d5e6f70"`, Varies: true}},
			Exec: func(*Context, []value.Value) (value.Value, error) {
				return value.StringValue(newUUID()), nil
			},
		},
		{
			Name: "tstamp", Category: CatOther, Returns: TInt,
			Description: "The current time as Unix milliseconds.",
			Examples:    []Example{ex("tstamp()", "1704164645678")},
			Exec: func(ctx *Context, _ []value.Value) (value.Value, error) {
				return value.IntValue(now(ctx).UnixMilli()), nil
			},
		},
		{
			Name: "get_keyed_state", Category: CatOther,
			Params:      []Param{param("key", TString), param("type", TString), param("default", TAny)},
			Returns:     TAny,
			Description: "Reads key from the external key-value store (store.extStateType), converted to type (bigint, float, string, boolean, datetime); default when the key is absent.",
			Examples:    []Example{ex(`get_keyed_state("threshold", "bigint", 20)`, "20"), ex(`get_keyed_state("limit", "bigint", 0)`, "42")},
			Validate: func(args []Arg) error {
				if v, ok := constArg(args, 1); ok && v.Kind() == value.String && !containsString(keyedStateTypes, v.Str()) {
					return fmt.Errorf("argument 2 (type): unknown type %q, want one of bigint, float, string, boolean, datetime", v.Str())
				}
				return nil
			},
			Exec: execKeyedState,
		},
		{
			Name: "delay", Category: CatOther, Params: []Param{param("ms", TInt), param("x", TAny)}, Returns: TAny,
			Description: "Waits ms milliseconds (at most 10 minutes), then returns x.",
			Examples:    []Example{ex(`delay(1, "v")`, `"v"`)},
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return args[1], nil
				}
				ms, err := toInt(0, args[0])
				if err != nil {
					return missing, err
				}
				d := time.Duration(ms) * time.Millisecond
				if ms < 0 || d > maxDelay {
					return missing, fmt.Errorf("delay %dms out of range [0, %s]", ms, maxDelay)
				}
				sleep := time.Sleep
				if ctx != nil && ctx.Sleep != nil {
					sleep = ctx.Sleep
				}
				sleep(d)
				return args[1], nil
			},
		},
		special("meta", []Param{param("key", TAny)}, TAny,
			"Metadata of the current message: meta(topic), meta(src.key) in joins, nested keys as meta(properties.a).",
			ex("meta(topic)", `"devices/1"`)),
		special("mqtt", []Param{param("key", TAny)}, TAny,
			"MQTT metadata of the current message (topic, qos, messageid); like meta.",
			ex("mqtt(topic)", `"devices/1"`)),
		special("event_time", nil, TInt,
			"The current row's timestamp (Unix milliseconds): its event time in event-time rules, otherwise when it arrived. In a window, the window's end.",
			ex("event_time()", "1700000000000")),
		special("rule_id", nil, TString, "The ID of the rule.", ex("rule_id()", `"rule1"`)),
		special("rule_start", nil, TInt, "When the rule started, as Unix milliseconds.", ex("rule_start()", "1700000000000")),
		special("last_hit_count", nil, TInt,
			"How many rows have passed this rule so far (in WHERE: rows for which the condition held), the current one included.",
			ex("last_hit_count()", "3")),
		special("last_hit_time", nil, TInt,
			"The Unix milliseconds of the last row that passed this rule (in WHERE: for which the condition held).",
			ex("last_hit_time()", "1700000000000")),
		special("window_start", nil, TInt, "Start of the current window, Unix milliseconds.", ex("window_start()", "1700000000000")),
		special("window_end", nil, TInt, "End of the current window, Unix milliseconds.", ex("window_end()", "1700000010000")),
		{
			Name: "unnest", Category: CatMultiRow, Kind: Special, SetReturning: true, Columns: true,
			Params:        []Param{param("array", TAny)},
			Returns:       TArray,
			Description:   "Turns an array into one output row per element: an object element's fields become the row's columns, any other element a column named unnest (or the alias). An empty or nil array gives no row; a non-array value gives one row.",
			Examples:      []Example{ex("unnest(array_create(1, 2))", "[1,2]"), ex(`unnest(array_create(object_construct("a", 1), object_construct("a", 3)))`, `[{"a":1},{"a":3}]`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				switch v := args[0]; v.Kind() {
				case value.Missing, value.Null:
					return value.ArrayValue(nil), nil
				case value.Array:
					return v, nil
				default:
					return value.ArrayValue([]value.Value{v}), nil
				}
			},
		},
		{
			Name: "extract", Category: CatMultiRow, Kind: Special, SetReturning: true, Columns: true,
			Params:        []Param{param("object", TObject)},
			Returns:       TArray,
			Description:   "Spreads an object's fields into the output row's columns (one row); a nil object gives no row.",
			Examples:      []Example{ex(`extract(object_construct("a", 1, "b", 2))`, `[{"a":1,"b":2}]`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				switch v := args[0]; v.Kind() {
				case value.Missing, value.Null:
					return value.ArrayValue(nil), nil
				case value.Obj:
					return value.ArrayValue([]value.Value{v}), nil
				default:
					return missing, argErr(0, "an object", v)
				}
			},
		},
		{
			Name: "row_number", Category: CatWindow, Kind: Window, Returns: TInt,
			Description: "Position (from 1) of the row in the window being emitted, in output order.",
			Examples:    []Example{ex("row_number()", "1")},
		},
	}
}

// special declares a function the planner evaluates itself.
func special(name string, params []Param, returns Type, desc string, examples ...Example) *Spec {
	return &Spec{
		Name: name, Category: CatOther, Kind: Special, Params: params, Returns: returns,
		Description: desc, Examples: examples,
	}
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

var errNoKeyedState = errors.New("no external state store is configured (store.extStateType)")

func execKeyedState(ctx *Context, args []value.Value) (value.Value, error) {
	if args[0].IsNil() {
		return args[2], nil
	}
	key, err := toStrArg(0, args[0])
	if err != nil {
		return missing, err
	}
	typ, err := toStrArg(1, args[1])
	if err != nil {
		return missing, err
	}
	if !containsString(keyedStateTypes, typ) {
		return missing, fmt.Errorf("unknown type %q", typ)
	}
	if ctx == nil || ctx.KeyedState == nil {
		return missing, errNoKeyedState
	}
	v, ok, err := ctx.KeyedState(key)
	if err != nil {
		return missing, fmt.Errorf("read keyed state %q: %w", key, err)
	}
	if !ok || v.IsNil() {
		return args[2], nil
	}
	k, _ := castTarget(typ)
	return value.Cast(v, k)
}
