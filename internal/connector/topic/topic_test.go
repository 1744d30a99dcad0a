package topic_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/connector/topic"
)

func TestMatch(t *testing.T) {
	cases := []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/b", "a/b/c", false},
		{"a/b/c", "a/b", false},
		{"a/+", "a/b", true},
		{"a/+", "a/b/c", false},
		{"a/+/c", "a/b/c", true},
		{"a/+/c", "a/b/d", false},
		{"+", "a", true},
		{"+", "a/b", false},
		{"+/+", "a/b", true},
		{"#", "a/b/c", true},
		{"a/#", "a", true},
		{"a/#", "a/b/c", true},
		{"a/#", "b/c", false},
		{"a/b/#", "a/b", true},
		{"a/b/#", "a", false},
		{"+/#", "a", true},
		{"#", "$SYS/x", false},
		{"+/x", "$SYS/x", false},
		{"$SYS/#", "$SYS/x", true},
		{"a//b", "a//b", true},
		{"a/+/b", "a//b", true},
		{"", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.filter+"~"+tc.topic, func(t *testing.T) {
			require.Equal(t, tc.want, topic.Match(tc.filter, tc.topic))
		})
	}
}

func TestValidateFilter(t *testing.T) {
	cases := []struct {
		filter string
		ok     bool
	}{
		{"a/b", true},
		{"a/+/b", true},
		{"a/#", true},
		{"#", true},
		{"$share/g/a/+", true},
		{"", false},
		{"a/#/b", false},
		{"a/b#", false},
		{"a+/b", false},
	}
	for _, tc := range cases {
		t.Run(tc.filter, func(t *testing.T) {
			err := topic.ValidateFilter(tc.filter)
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
	require.Error(t, topic.ValidateName("a/+"))
	require.NoError(t, topic.ValidateName("a/b"))
}

func BenchmarkMatch(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		topic.Match("devices/+/telemetry/#", "devices/d1/telemetry/temp/x")
	}
}
