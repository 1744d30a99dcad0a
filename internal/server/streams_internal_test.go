package server

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIsCreate(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want bool
	}{
		{"CREATE STREAM demo ()", true},
		{"  create\tstream demo ()", true},
		{"-- note\n/* more */ Create TABLE t ()", true},
		{"CREATE", true},
		{"CREATE(", true},
		{"CREATED", false},
		{"create_x", false},
		{"DROP STREAM demo", false},
		{"SHOW STREAMS", false},
		{"-- only a comment", false},
		{"/* unterminated", false},
		{"", false},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			require.Equal(t, tc.want, isCreate(tc.sql))
		})
	}
}
