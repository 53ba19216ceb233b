import Foundation
import KubeAPIMachinery
import SingletonCore

/// Tables and documents for `list` and `status` (pure).
enum ReportRendering {
    /// One table per shape, as `kubectl get` prints mixed kinds: the workloads (Jobs included),
    /// then the CronJobs with their schedule columns. Empty tables are left out.
    static func listTables(_ reports: [SingletonReport], allNamespaces: Bool, wide: Bool, now: Date) -> [Table] {
        let cronJobs = reports.filter { $0.cronJob != nil }
        return [
            listTable(reports.filter { $0.cronJob == nil }, allNamespaces: allNamespaces, wide: wide),
            cronJobTable(cronJobs, allNamespaces: allNamespaces, wide: wide, now: now),
        ].filter { !$0.rows.isEmpty }
    }

    /// The risk codes that break the contract (the rest are advice).
    static func violations(_ r: SingletonReport) -> String {
        let violationCodes: Set<String> = ["bad-mode", "surge", "overlap"]
        let codes = r.risks.map(\.code).filter { code in
            violationCodes.contains(code) || code.hasPrefix("replicas=") || code.hasPrefix("pods=")
                || code.hasPrefix("hpa/") || code.hasPrefix("active=") || code.hasPrefix("denied/")
        }
        return codes.isEmpty ? "<none>" : codes.joined(separator: ",")
    }

    static func cronJobTable(_ reports: [SingletonReport], allNamespaces: Bool, wide: Bool, now: Date) -> Table {
        var headers = ["NAME", "MODE", "ENFORCEMENT", "SCHEDULE", "SUSPEND", "ACTIVE", "LAST-SCHEDULE", "VIOLATIONS"]
        if wide { headers += ["POLICY", "PODS", "RISKS"] }
        if allNamespaces { headers.insert("NAMESPACE", at: 0) }
        let rows: [[String]] = reports.compactMap { r in
            guard let c = r.cronJob else { return nil }
            var row = [
                r.ref.description, r.mode, r.enforcement, c.schedule, c.suspended ? "True" : "False",
                String(c.activeJobs.count), c.lastScheduleText(now: now), violations(r),
            ]
            if wide {
                row += [
                    c.concurrencyPolicy, String(r.runningPods.count + r.terminatingPods.count),
                    r.risks.isEmpty ? "<none>" : r.risks.map(\.code).joined(separator: ","),
                ]
            }
            if allNamespaces { row.insert(r.namespace, at: 0) }
            return row
        }
        return Table(headers: headers, rows: rows)
    }

    static func listTable(_ reports: [SingletonReport], allNamespaces: Bool, wide: Bool) -> Table {
        var headers = [
            "NAME", "MODE", "ENFORCEMENT", "DESIRED", "READY", "PDB", "SERVICE", "LEASE-HOLDER", "VIOLATIONS",
        ]
        if wide { headers += ["STRATEGY", "PODS", "RISKS"] }
        if allNamespaces { headers.insert("NAMESPACE", at: 0) }
        let rows: [[String]] = reports.map { r in
            var row = [
                r.ref.description, r.mode, r.enforcement, String(r.desired), String(r.ready),
                r.podDisruptionBudget ?? "<none>",
                r.service ?? "<none>", r.leaseHolder.map { $0.isEmpty ? "<released>" : $0 } ?? "<none>",
                violations(r),
            ]
            if wide {
                row += [
                    r.strategy ?? "-", String(r.runningPods.count),
                    r.risks.isEmpty ? "<none>" : r.risks.map(\.code).joined(separator: ","),
                ]
            }
            if allNamespaces { row.insert(r.namespace, at: 0) }
            return row
        }
        return Table(headers: headers, rows: rows)
    }

    static func document(_ r: SingletonReport) -> JSONValue {
        var o: [String: JSONValue] = [
            "apiVersion": .string(r.ref.kind.apiVersion), "kind": .string(r.ref.kind.rawValue),
            "metadata": ["name": .string(r.ref.name), "namespace": .string(r.namespace)],
            "name": .string(r.ref.name), "namespace": .string(r.namespace),
            "mode": .string(r.mode), "desiredReplicas": .int(Int64(r.desired)), "readyReplicas": .int(Int64(r.ready)),
            "runningPods": .array(r.runningPods.map(JSONValue.string)),
            "terminatingPods": .array(r.terminatingPods.map(JSONValue.string)),
            "podDisruptionBudget": r.podDisruptionBudget.map(JSONValue.string) ?? .null,
            "service": r.service.map(JSONValue.string) ?? .null,
            "risks": .array(r.risks.map { ["code": .string($0.code), "message": .string($0.message)] }),
        ]
        if let s = r.strategy { o["strategy"] = .string(s) }
        o["enforcement"] = .string(r.enforcement)
        if let c = r.cronJob {
            o["schedule"] = .string(c.schedule)
            o["suspend"] = .bool(c.suspended)
            o["concurrencyPolicy"] = .string(c.concurrencyPolicy)
            o["lastScheduleTime"] = c.lastSchedule.map { .string($0.formatted(.iso8601)) } ?? .null
            o["activeJobs"] = .array(c.activeJobs.map(JSONValue.string))
        }
        if let lease = r.leaseName {
            var l: [String: JSONValue] = ["name": .string(lease)]
            if let v = r.leaseView {
                l["holder"] = v.record.holder.map(JSONValue.string) ?? .null
                l["holderPod"] = v.pod.map { .string($0.name) } ?? .null
                l["renewedSecondsAgo"] = v.renewedSecondsAgo.map { .int(Int64($0.rounded())) } ?? .null
                l["expiredEstimate"] = v.expired.map(JSONValue.bool) ?? .null
            }
            o["lease"] = .object(l)
        }
        return .object(o)
    }

    static func statusText(_ r: SingletonReport, now: Date) -> String {
        var lines = [
            "Name:          \(r.ref)",
            "Namespace:     \(r.namespace)",
            "Mode:          \(r.mode)",
            "Enforcement:   \(r.enforcement)\(r.enforcement == "warn" ? " (breaches are allowed with a warning)" : "")",
        ]
        if let c = r.cronJob {
            lines.append("Schedule:      \(c.schedule)\(c.suspended ? " (suspended)" : "")")
            lines.append("Policy:        concurrencyPolicy \(c.concurrencyPolicy)")
            let last = c.lastSchedule.map { "\(humanDuration(seconds: now.timeIntervalSince($0))) ago" } ?? "<none>"
            lines.append("Last schedule: \(last)")
            lines.append("Active Jobs:   \(c.activeJobs.isEmpty ? "<none>" : c.activeJobs.joined(separator: ", "))")
        } else if r.ref.kind == .job {
            lines.append("Parallelism:   \(r.desired), \(r.ready) ready")
        } else {
            lines.append("Replicas:      \(r.desired) desired, \(r.ready) ready")
        }
        if let s = r.strategy { lines.append("Strategy:      \(s)") }
        var pods = r.runningPods.isEmpty ? "<none>" : r.runningPods.joined(separator: ", ")
        if !r.terminatingPods.isEmpty { pods += " (terminating: \(r.terminatingPods.joined(separator: ", ")))" }
        lines.append("Pods:          \(pods)")
        if r.ref.kind.workload != nil {
            lines.append("PDB:           \(r.podDisruptionBudget ?? "<none>")")
            lines.append("Service:       \(r.service ?? "<none>")")
        }
        if let lease = r.leaseName {
            if let v = r.leaseView {
                let holder = v.record.isReleased ? "<released>" : (v.record.holder ?? "")
                let pod = v.pod.map { " (pod \($0.name))" } ?? ""
                lines.append(
                    "Lease:         \(lease) held by \(holder)\(pod), renewed \(v.renewedText), duration \(v.record.durationSeconds.map { "\($0)s" } ?? "-"), expired: \(v.expiredText)"
                )
            } else {
                lines.append("Lease:         \(lease) (not found)")
            }
        }
        if r.risks.isEmpty {
            lines.append("Risks:         <none>")
        } else {
            lines.append("Risks:")
            lines += r.risks.map { "  - \($0.message)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
