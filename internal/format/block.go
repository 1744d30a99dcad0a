package format

import "github.com/kuiperio/kuiper/internal/value"

// Blocks hold a row object together with its keys and values, so that a
// flat message of up to eight fields (the usual IoT reading) costs one
// allocation instead of three. The slices handed out have cap == len, so
// appending to a row reallocates instead of writing past its block.
type (
	block1 struct {
		o value.Object
		k [1]string
		v [1]value.Value
	}
	block2 struct {
		o value.Object
		k [2]string
		v [2]value.Value
	}
	block3 struct {
		o value.Object
		k [3]string
		v [3]value.Value
	}
	block4 struct {
		o value.Object
		k [4]string
		v [4]value.Value
	}
	block5 struct {
		o value.Object
		k [5]string
		v [5]value.Value
	}
	block6 struct {
		o value.Object
		k [6]string
		v [6]value.Value
	}
	block7 struct {
		o value.Object
		k [7]string
		v [7]value.Value
	}
	block8 struct {
		o value.Object
		k [8]string
		v [8]value.Value
	}
)

// maxBlock is the largest field count newBlock serves.
const maxBlock = 8

// newBlock returns an object with n (1..maxBlock) key and value slots in
// one allocation.
func newBlock(n int) (*value.Object, []string, []value.Value) {
	switch n {
	case 1:
		b := new(block1)
		return &b.o, b.k[:], b.v[:]
	case 2:
		b := new(block2)
		return &b.o, b.k[:], b.v[:]
	case 3:
		b := new(block3)
		return &b.o, b.k[:], b.v[:]
	case 4:
		b := new(block4)
		return &b.o, b.k[:], b.v[:]
	case 5:
		b := new(block5)
		return &b.o, b.k[:], b.v[:]
	case 6:
		b := new(block6)
		return &b.o, b.k[:], b.v[:]
	case 7:
		b := new(block7)
		return &b.o, b.k[:], b.v[:]
	case 8:
		b := new(block8)
		return &b.o, b.k[:], b.v[:]
	}
	panic("format: newBlock size out of range")
}
