import Foundation

/// Field tables of the Kubernetes protobuf messages that kubectl's typed generators send
/// (`kubectl create namespace|configmap|secret|deployment|service|poddisruptionbudget|cronjob|job`),
/// from k8s.io/api `generated.proto`. Anything outside these tables is refused, never guessed.
enum ProtoField: Sendable {
    case string, bytes, int, bool, time, intOrString, quantity
    /// Read and dropped (status on create, which the apiserver resets anyway).
    case skipped
    case message(String)
    case stringMap, bytesMap
    indirect case repeated(ProtoField)
}

/// The tables themselves, by message name (see `ProtoField`).
enum ProtobufSchemas {
    static let objectMeta: [Int: (String, ProtoField)] = [
        1: ("name", .string), 2: ("generateName", .string), 3: ("namespace", .string), 4: ("selfLink", .string),
        5: ("uid", .string), 6: ("resourceVersion", .string), 7: ("generation", .int), 8: ("creationTimestamp", .time),
        9: ("deletionTimestamp", .time), 10: ("deletionGracePeriodSeconds", .int), 11: ("labels", .stringMap),
        12: ("annotations", .stringMap), 13: ("ownerReferences", .repeated(.message("OwnerReference"))),
        14: ("finalizers", .repeated(.string)),
    ]

    /// Top-level kinds by `apiVersion/kind`, mapped to their message name.
    static let kinds: [String: String] = [
        "v1/Namespace": "Namespace", "v1/ConfigMap": "ConfigMap", "v1/Secret": "Secret", "v1/Service": "Service",
        "apps/v1/Deployment": "Deployment", "policy/v1/PodDisruptionBudget": "PodDisruptionBudget",
        "autoscaling/v2/HorizontalPodAutoscaler": "HorizontalPodAutoscaler",
        "autoscaling/v1/HorizontalPodAutoscaler": "HorizontalPodAutoscalerV1",
        "batch/v1/CronJob": "CronJob", "batch/v1/Job": "Job",
    ]

    static let messages: [String: [Int: (String, ProtoField)]] = [
        "ObjectMeta": objectMeta,
        "OwnerReference": [
            1: ("kind", .string), 3: ("name", .string), 4: ("uid", .string), 5: ("apiVersion", .string),
            6: ("controller", .bool), 7: ("blockOwnerDeletion", .bool),
        ],
        "Namespace": [
            1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("NamespaceSpec")),
            3: ("status", .message("NamespaceStatus")),
        ],
        "NamespaceSpec": [1: ("finalizers", .repeated(.string))],
        "NamespaceStatus": [1: ("phase", .string)],
        "ConfigMap": [
            1: ("metadata", .message("ObjectMeta")), 2: ("data", .stringMap), 3: ("binaryData", .bytesMap),
            4: ("immutable", .bool),
        ],
        "Secret": [
            1: ("metadata", .message("ObjectMeta")), 2: ("data", .bytesMap), 3: ("type", .string),
            4: ("stringData", .stringMap),
            5: ("immutable", .bool),
        ],
        "Service": [
            1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("ServiceSpec")), 3: ("status", .skipped),
        ],
        "ServiceSpec": [
            1: ("ports", .repeated(.message("ServicePort"))), 2: ("selector", .stringMap), 3: ("clusterIP", .string),
            4: ("type", .string), 5: ("externalIPs", .repeated(.string)), 7: ("sessionAffinity", .string),
            8: ("loadBalancerIP", .string), 9: ("loadBalancerSourceRanges", .repeated(.string)),
            10: ("externalName", .string),
            11: ("externalTrafficPolicy", .string), 12: ("healthCheckNodePort", .int),
            13: ("publishNotReadyAddresses", .bool),
            17: ("ipFamilyPolicy", .string), 18: ("clusterIPs", .repeated(.string)),
            19: ("ipFamilies", .repeated(.string)),
            21: ("loadBalancerClass", .string), 22: ("internalTrafficPolicy", .string),
            23: ("trafficDistribution", .string),
        ],
        "ServicePort": [
            1: ("name", .string), 2: ("protocol", .string), 3: ("port", .int), 4: ("targetPort", .intOrString),
            5: ("nodePort", .int),
        ],
        "Deployment": [
            1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("DeploymentSpec")), 3: ("status", .skipped),
        ],
        "DeploymentSpec": [
            1: ("replicas", .int), 2: ("selector", .message("LabelSelector")),
            3: ("template", .message("PodTemplateSpec")),
            4: ("strategy", .message("DeploymentStrategy")), 5: ("minReadySeconds", .int),
            6: ("revisionHistoryLimit", .int),
            7: ("paused", .bool), 9: ("progressDeadlineSeconds", .int),
        ],
        "DeploymentStrategy": [1: ("type", .string), 2: ("rollingUpdate", .message("RollingUpdateDeployment"))],
        "RollingUpdateDeployment": [1: ("maxUnavailable", .intOrString), 2: ("maxSurge", .intOrString)],
        "LabelSelector": [
            1: ("matchLabels", .stringMap), 2: ("matchExpressions", .repeated(.message("LabelSelectorRequirement"))),
        ],
        "LabelSelectorRequirement": [1: ("key", .string), 2: ("operator", .string), 3: ("values", .repeated(.string))],
        "PodTemplateSpec": [1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("PodSpec"))],
        "CronJob": [
            1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("CronJobSpec")), 3: ("status", .skipped),
        ],
        "CronJobSpec": [
            1: ("schedule", .string), 2: ("startingDeadlineSeconds", .int), 3: ("concurrencyPolicy", .string),
            4: ("suspend", .bool), 5: ("jobTemplate", .message("JobTemplateSpec")),
            6: ("successfulJobsHistoryLimit", .int), 7: ("failedJobsHistoryLimit", .int), 8: ("timeZone", .string),
        ],
        "JobTemplateSpec": [1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("JobSpec"))],
        "Job": [1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("JobSpec")), 3: ("status", .skipped)],
        "JobSpec": [
            1: ("parallelism", .int), 2: ("completions", .int), 3: ("activeDeadlineSeconds", .int),
            4: ("selector", .message("LabelSelector")), 5: ("manualSelector", .bool),
            6: ("template", .message("PodTemplateSpec")), 7: ("backoffLimit", .int),
            8: ("ttlSecondsAfterFinished", .int), 9: ("completionMode", .string), 10: ("suspend", .bool),
            12: ("backoffLimitPerIndex", .int), 13: ("maxFailedIndexes", .int), 14: ("podReplacementPolicy", .string),
            16: ("managedBy", .string),
        ],
        "PodSpec": [
            2: ("containers", .repeated(.message("Container"))), 3: ("restartPolicy", .string),
            4: ("terminationGracePeriodSeconds", .int), 6: ("dnsPolicy", .string), 7: ("nodeSelector", .stringMap),
            8: ("serviceAccountName", .string), 9: ("serviceAccount", .string), 10: ("nodeName", .string),
            11: ("hostNetwork", .bool), 12: ("hostPID", .bool), 13: ("hostIPC", .bool),
            14: ("securityContext", .message("Empty")),
            16: ("hostname", .string), 17: ("subdomain", .string), 19: ("schedulerName", .string),
            24: ("priorityClassName", .string),
            31: ("preemptionPolicy", .string), 35: ("setHostnameAsFQDN", .bool), 37: ("hostUsers", .bool),
        ],
        "Container": [
            1: ("name", .string), 2: ("image", .string), 3: ("command", .repeated(.string)),
            4: ("args", .repeated(.string)),
            5: ("workingDir", .string), 6: ("ports", .repeated(.message("ContainerPort"))),
            7: ("env", .repeated(.message("EnvVar"))),
            8: ("resources", .message("Empty")), 13: ("terminationMessagePath", .string),
            14: ("imagePullPolicy", .string),
            16: ("stdin", .bool), 17: ("stdinOnce", .bool), 18: ("tty", .bool),
            20: ("terminationMessagePolicy", .string),
        ],
        "ContainerPort": [
            1: ("name", .string), 2: ("hostPort", .int), 3: ("containerPort", .int), 4: ("protocol", .string),
            5: ("hostIP", .string),
        ],
        "EnvVar": [1: ("name", .string), 2: ("value", .string)],
        "PodDisruptionBudget": [
            1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("PodDisruptionBudgetSpec")),
            3: ("status", .skipped),
        ],
        "PodDisruptionBudgetSpec": [
            1: ("minAvailable", .intOrString), 2: ("selector", .message("LabelSelector")),
            3: ("maxUnavailable", .intOrString), 4: ("unhealthyPodEvictionPolicy", .string),
        ],
        "HorizontalPodAutoscaler": [
            1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("HPASpec")), 3: ("status", .skipped),
        ],
        "HPASpec": [
            1: ("scaleTargetRef", .message("CrossVersionObjectReference")), 2: ("minReplicas", .int),
            3: ("maxReplicas", .int),
            4: ("metrics", .repeated(.message("MetricSpec"))),
        ],
        "HorizontalPodAutoscalerV1": [
            1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("HPASpecV1")), 3: ("status", .skipped),
        ],
        "HPASpecV1": [
            1: ("scaleTargetRef", .message("CrossVersionObjectReference")), 2: ("minReplicas", .int),
            3: ("maxReplicas", .int),
            4: ("targetCPUUtilizationPercentage", .int),
        ],
        "CrossVersionObjectReference": [1: ("kind", .string), 2: ("name", .string), 3: ("apiVersion", .string)],
        "MetricSpec": [1: ("type", .string), 4: ("resource", .message("ResourceMetricSource"))],
        "ResourceMetricSource": [1: ("name", .string), 2: ("target", .message("MetricTarget"))],
        "MetricTarget": [
            1: ("type", .string), 2: ("value", .quantity), 3: ("averageValue", .quantity),
            4: ("averageUtilization", .int),
        ],
        // Messages kubectl's generators send empty (status, resources, securityContext).
        "Empty": [:],
    ]
}
