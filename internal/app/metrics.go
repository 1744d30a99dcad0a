package app

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kuiperio/kuiper/internal/rule"
)

// ruleCollector exports every rule's node metrics on each scrape, under
// eKuiper's series names, so its dashboards work unchanged.
type ruleCollector struct {
	rules *rule.Manager

	status  *prometheus.Desc
	count   *prometheus.Desc
	metrics map[string]*prometheus.Desc // "<kind>_<metric>" → desc
}

var nodeLabels = []string{"rule", "type", "op", "op_instance"}

func newRuleCollector(m *rule.Manager) *ruleCollector {
	c := &ruleCollector{
		rules:   m,
		status:  prometheus.NewDesc("kuiper_rule_status", "Rule state: 1 running, 0 stopped, -1 stopped by error.", []string{"rule"}, nil),
		count:   prometheus.NewDesc("kuiper_rule_count", "Number of rules by state.", []string{"state"}, nil),
		metrics: map[string]*prometheus.Desc{},
	}
	for _, kind := range []string{"source", "op", "sink"} {
		for _, m := range []struct{ name, help string }{
			{"records_in_total", "Records received."},
			{"records_out_total", "Records sent on."},
			{"messages_processed_total", "Messages processed."},
			{"exceptions_total", "Errors."},
			{"process_latency_us", "Latency of the last record, in microseconds."},
			{"buffer_length", "Records waiting in the input buffer."},
			{"dropped_total", "Records dropped because the buffer was full."},
		} {
			c.metrics[kind+"_"+m.name] = prometheus.NewDesc("kuiper_"+kind+"_"+m.name, m.help, nodeLabels, nil)
		}
	}
	return c
}

// Describe implements prometheus.Collector.
func (c *ruleCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.status
	ch <- c.count
	for _, d := range c.metrics {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *ruleCollector) Collect(ch chan<- prometheus.Metric) {
	counts := map[string]int{}
	for _, v := range c.rules.Views() {
		counts[v.State]++
		st := 0.0
		switch v.State {
		case rule.StateRunning:
			st = 1
		case rule.StateStoppedByErr:
			st = -1
		}
		ch <- prometheus.MustNewConstMetric(c.status, prometheus.GaugeValue, st, v.ID)
		if v.Topo == nil {
			continue
		}
		for _, n := range v.Topo.Nodes() {
			labels := []string{v.ID, n.Kind, n.Name, "0"}
			counter := func(metric string, val int64) {
				ch <- prometheus.MustNewConstMetric(c.metrics[n.Kind+"_"+metric], prometheus.CounterValue, float64(val), labels...)
			}
			gauge := func(metric string, val int64) {
				ch <- prometheus.MustNewConstMetric(c.metrics[n.Kind+"_"+metric], prometheus.GaugeValue, float64(val), labels...)
			}
			counter("records_in_total", n.RecordsIn.Load())
			counter("records_out_total", n.RecordsOut.Load())
			counter("messages_processed_total", n.Processed.Load())
			counter("exceptions_total", n.Exceptions.Load())
			counter("dropped_total", n.Dropped.Load())
			gauge("process_latency_us", n.LatencyUs.Load())
			bl := 0
			if n.BufferLen != nil {
				bl = n.BufferLen()
			}
			gauge("buffer_length", int64(bl))
		}
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, float64(n), state)
	}
}

// metricsHandler serves the Prometheus exposition of the rules and the Go
// runtime.
func metricsHandler(m *rule.Manager) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newRuleCollector(m), collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
