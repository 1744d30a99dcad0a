package exec

// ReaggregateSliding makes the sliding window of o re-aggregate the rows
// of every window, as it did before it kept accumulators, so that tests
// can compare both.
func ReaggregateSliding(o *Operator) {
	w := o.win.(*slidingWindow)
	w.incInit, w.inc = true, nil
}

// SlidingIncremental reports whether the sliding window of o keeps
// accumulators.
func SlidingIncremental(o *Operator) bool {
	w := o.win.(*slidingWindow)
	w.setup(o)
	return w.inc != nil
}
