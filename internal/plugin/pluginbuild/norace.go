//go:build !race

package pluginbuild

const raceEnabled = false
