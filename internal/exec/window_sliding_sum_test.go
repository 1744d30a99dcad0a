package exec

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestSlidingExactSum checks the float expansion against math/big: after
// every addition or removal its rounding is the nearest float to the
// exact sum of the values held.
func TestSlidingExactSum(t *testing.T) {
	for seed := range uint64(50) {
		r := rand.New(rand.NewPCG(seed, 1))
		var p []float64
		var held []float64
		for step := range 400 {
			if len(held) > 0 && r.IntN(3) == 0 {
				// remove the oldest, as a window does
				p = expAdd(p, -held[0])
				held = held[1:]
			} else {
				var x float64
				switch r.IntN(4) {
				case 0:
					x = math.Round(r.Float64()*1e5) / 1e3 // decimals
				case 1:
					x = (r.Float64() - 0.5) * math.Pow(2, float64(r.IntN(200)-100))
				case 2:
					x = float64(r.Int64N(1<<62) - 1<<61)
				default:
					x = -math.Round(r.Float64()*1e4) / 10
				}
				p = expAdd(p, x)
				held = append(held, x)
			}
			exact := new(big.Float).SetPrec(4000)
			for _, x := range held {
				exact.Add(exact, big.NewFloat(x).SetPrec(4000))
			}
			want, _ := exact.Float64() // nearest, ties to even
			if got := expRound(p); got != want {
				t.Fatalf("seed %d step %d: got %v, want %v (%d values, %d partials)", seed, step, got, want, len(held), len(p))
			}
			if len(p) > 40 {
				t.Fatalf("seed %d: %d partials", seed, len(p))
			}
		}
	}
	// Ties: 1 + 2^-53 is half-way; the tiny partial decides.
	p := expAdd(expAdd(expAdd(nil, 1), 0x1p-53), 0x1p-100)
	if got := expRound(p); got != 1+0x1p-52 {
		t.Fatalf("tie rounding: %v", got)
	}
}
