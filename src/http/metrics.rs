//! Prometheus metrics: request counts and latency histograms per route template (never per raw path,
//! which would hold ids), and the database pool's gauges.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → requests.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// (method, route) → latency.
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
    /// Every request served, for the memory watcher.
    activity: crate::memory::Activity,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.activity.served();
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((method.to_string(), route.to_string(), status)).or_default() += 1;
        }
        if let Ok(mut latency) = self.latency.lock() {
            let h = latency.entry((method.to_string(), route.to_string())).or_default();
            h.count += 1;
            h.sum += seconds;
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.counts[i] += 1;
                }
            }
        }
    }

    pub fn activity(&self) -> &crate::memory::Activity {
        &self.activity
    }

    /// The text exposition format, version 0.0.4.
    pub fn render(&self, pool_connections: u32, pool_idle: u32, pool_max: u32) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP sportello_http_requests_total HTTP requests by method, route template and status.\n",
        );
        out.push_str("# TYPE sportello_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((method, route, status), n) in requests.iter() {
                let _ = writeln!(
                    out,
                    "sportello_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP sportello_http_request_duration_seconds HTTP request latency by method and route template.\n");
        out.push_str("# TYPE sportello_http_request_duration_seconds histogram\n");
        if let Ok(latency) = self.latency.lock() {
            for ((method, route), h) in latency.iter() {
                let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "sportello_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "sportello_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(out, "sportello_http_request_duration_seconds_sum{{{labels}}} {}", h.sum);
                let _ =
                    writeln!(out, "sportello_http_request_duration_seconds_count{{{labels}}} {}", h.count);
            }
        }
        for (name, help, value) in [
            ("sportello_db_pool_connections", "Open database connections.", pool_connections),
            ("sportello_db_pool_idle_connections", "Idle database connections.", pool_idle),
            ("sportello_db_pool_max_connections", "Configured maximum of database connections.", pool_max),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        }
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/cases/{id}", 200, 0.003);
        m.observe("GET", "/api/v1/cases/{id}", 200, 0.2);
        let text = m.render(3, 1, 8);
        assert!(text.contains(
            "sportello_http_requests_total{method=\"GET\",route=\"/api/v1/cases/{id}\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("sportello_db_pool_connections 3"));
    }
}
