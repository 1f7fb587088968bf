//! template.yaml's operations side: metrics the code writes are the metrics the alarms and the
//! dashboard read, logs keep Lambda's REPORT lines, API access logs exist, and the Databricks
//! credential a person puts into the created secret survives stack updates and deletion.

use shared::http::request_log::METRICS;

fn template() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml"))
        .expect("template.yaml is readable")
}

/// The text of one top-level resource of the template.
fn resource<'a>(template: &'a str, name: &str) -> &'a str {
    let start = template.find(&format!("\n  {name}:\n")).unwrap_or_else(|| panic!("template.yaml has no {name}"));
    let rest = &template[start + 1..];
    let end = rest[3..].find("\n  ").map_or(rest.len(), |i| {
        // the next line indented by exactly two spaces starts the next resource
        let mut at = i + 3;
        while !rest[at + 1..].starts_with("  ") || rest[at + 3..].starts_with(' ') {
            match rest[at + 1..].find("\n  ") {
                Some(next) => at = at + 1 + next,
                None => return rest.len(),
            }
        }
        at
    });
    &rest[..end]
}

/// The text of every top-level resource (a key indented by exactly two spaces under `Resources:`).
fn top_level_resources(template: &str) -> Vec<&str> {
    let start = template.find("\nResources:\n").expect("a Resources section") + "\nResources:\n".len();
    let (mut blocks, mut from, mut at) = (Vec::new(), None::<usize>, start);
    for line in template[start..].split_inclusive('\n') {
        let code = line.trim_start();
        let indent = line.len() - code.len();
        let top_level = indent == 0 && !code.trim().is_empty() && !code.starts_with('#');
        if top_level || (indent == 2 && !code.starts_with('#') && code.trim_end().ends_with(':')) {
            if let Some(f) = from.take() {
                blocks.push(&template[f..at]);
            }
            if top_level {
                return blocks;
            }
            from = Some(at);
        }
        at += line.len();
    }
    blocks.extend(from.map(|f| &template[f..]));
    blocks
}

#[test]
fn every_alarm_and_dashboard_metric_of_the_bridge_is_one_the_request_line_writes() {
    let template = template();
    let written: Vec<&str> = METRICS.iter().map(|(name, _, _)| *name).collect();
    let alarms = template.matches("Type: AWS::CloudWatch::Alarm").count();
    assert!(alarms >= 4, "{alarms} alarms");
    // Only the alarms: the web ACL's VisibilityConfig names metrics of its own (AWS/WAFV2).
    let alarm_metrics: Vec<&str> = top_level_resources(&template)
        .into_iter()
        .filter(|r| r.contains("Type: AWS::CloudWatch::Alarm"))
        .flat_map(str::lines)
        .filter_map(|l| l.trim().strip_prefix("MetricName:").map(str::trim))
        .collect();
    assert!(alarm_metrics.len() >= alarms, "{alarm_metrics:?}");
    for name in alarm_metrics {
        let aws_metric = ["5XXError"].contains(&name);
        assert!(aws_metric || written.contains(&name), "an alarm reads {name}, which no request line writes");
    }
    let dashboard = resource(&template, "Dashboard");
    for name in ["Requests", "ClientErrors", "ServerErrors", "Throttled", "Latency", "DatabricksCalls"] {
        assert!(
            dashboard.contains(&format!("\"{name}\"")) || dashboard.contains(&format!("MetricName=\\\"{name}\\\"")),
            "the dashboard shows {name}"
        );
    }
    assert!(
        template.contains("METRICS_NAMESPACE: !Sub DatabricksScimBridge/${AWS::StackName}"),
        "the functions write to the namespace the alarms read"
    );
}

#[test]
fn lambda_report_lines_access_logs_and_tracing_are_configured() {
    let template = template();
    assert!(template.contains("SystemLogLevel: INFO"), "REPORT lines (init duration, memory) need system logs at INFO");
    assert!(template.contains("AccessLogSetting:"), "API Gateway access logs");
    let format =
        template.lines().find(|l| l.trim_start().starts_with("Format: '{\"requestId\"")).expect("an access log format");
    for forbidden in ["$context.path", "querystring", "Authorization", "$input"] {
        assert!(
            !format.contains(forbidden),
            "the access log format must not log {forbidden}: filters hold e-mails, headers tokens"
        );
    }
    assert!(template.contains("Tracing: !If [TracingOn, Active, PassThrough]"));
}

#[test]
fn the_created_databricks_secret_is_retained_and_its_placeholder_never_changes() {
    let template = template();
    let secret = resource(&template, "DatabricksSecret");
    assert!(secret.contains("DeletionPolicy: Retain") && secret.contains("UpdateReplacePolicy: Retain"), "{secret}");
    // CloudFormation writes SecretString again only when the template's value changes: editing
    // this placeholder would overwrite the credential a person put there. Never edit it.
    assert!(
        secret.contains(
            r#"SecretString: '{"placeholder":"replace this value with the Databricks credential, see README, Deploy"}'"#
        ),
        "the placeholder of DatabricksSecret changed: that would overwrite live credentials on the next deploy"
    );
}
