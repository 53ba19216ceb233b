// Generated from deploy/**/*.yaml by scripts/embed-manifests.sh: do not edit.
// Regenerate with `make embed`; EmbeddedManifestsTests fails while this file and deploy/ differ.
// swift-format-ignore-file

/// The webhook's manifests, compiled into the plugin so `install` needs no checkout.
enum DeployManifests {
    static let files: [(path: String, content: String)] = [
        ("deploy/base/deployment.yaml", ####"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: singleton-webhook
  namespace: singleton-system
  labels:
    app.kubernetes.io/name: kube-singleton
    app.kubernetes.io/component: webhook
    app.kubernetes.io/managed-by: kubectl-singleton
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: kube-singleton
      app.kubernetes.io/component: webhook
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app.kubernetes.io/name: kube-singleton
        app.kubernetes.io/component: webhook
    spec:
      serviceAccountName: singleton-webhook
      # The token is mounted because the parent cache lists and watches workloads; the
      # ClusterRole allows nothing else.
      automountServiceAccountToken: true
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: kube-singleton
              app.kubernetes.io/component: webhook
      containers:
        - name: webhook
          image: ghcr.io/kube-singleton/singleton-webhook:v0.1.0
          imagePullPolicy: IfNotPresent
          args:
            - serve
            - --port=8443
            - --tls-cert-file=/etc/singleton-webhook/tls/tls.crt
            - --tls-key-file=/etc/singleton-webhook/tls/tls.key
            - --metrics-port=9090
            - --on-lookup-failure=allow
          ports:
            - name: https
              containerPort: 8443
              protocol: TCP
            - name: metrics
              containerPort: 9090
              protocol: TCP
          livenessProbe:
            httpGet:
              path: /healthz
              port: https
              scheme: HTTPS
            periodSeconds: 10
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /readyz
              port: https
              scheme: HTTPS
            periodSeconds: 5
            failureThreshold: 2
          resources:
            # Sized from `make bench`: RSS under 26 MiB after load, under 40 MiB with 10k
            # cached workloads.
            requests:
              cpu: 50m
              memory: 48Mi
            limits:
              memory: 96Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            - name: tls
              mountPath: /etc/singleton-webhook/tls
              readOnly: true
      volumes:
        - name: tls
          secret:
            secretName: singleton-webhook-tls

"""####),
        ("deploy/base/kustomization.yaml", ####"""
# The webhook base (see ../kustomization.yaml). It needs the TLS Secret singleton-webhook-tls and
# the caBundle: use the cert-manager overlay in deploy/cert-manager/, or `kubectl singleton install`.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - namespace.yaml
  - rbac.yaml
  - deployment.yaml
  - service.yaml
  - pdb.yaml
  - webhook.yaml

"""####),
        ("deploy/base/namespace.yaml", ####"""
apiVersion: v1
kind: Namespace
metadata:
  name: singleton-system
  labels:
    kubernetes.io/metadata.name: singleton-system
    app.kubernetes.io/name: kube-singleton
    app.kubernetes.io/managed-by: kubectl-singleton
    pod-security.kubernetes.io/enforce: restricted

"""####),
        ("deploy/base/pdb.yaml", ####"""
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: singleton-webhook
  namespace: singleton-system
  labels:
    app.kubernetes.io/name: kube-singleton
    app.kubernetes.io/component: webhook
    app.kubernetes.io/managed-by: kubectl-singleton
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: kube-singleton
      app.kubernetes.io/component: webhook

"""####),
        ("deploy/base/rbac.yaml", ####"""
# The webhook only reads workload metadata (its parent cache for scale, HPA and ScaledObject
# requests). Argo Rollouts may not be installed: the cache then asks again now and then.
apiVersion: v1
kind: ServiceAccount
metadata:
  name: singleton-webhook
  namespace: singleton-system
  labels:
    app.kubernetes.io/name: kube-singleton
    app.kubernetes.io/component: webhook
    app.kubernetes.io/managed-by: kubectl-singleton
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: kube-singleton-webhook
  labels:
    app.kubernetes.io/name: kube-singleton
    app.kubernetes.io/component: webhook
    app.kubernetes.io/managed-by: kubectl-singleton
rules:
  - apiGroups: ["apps"]
    resources: ["deployments", "statefulsets", "replicasets"]
    verbs: ["get", "list", "watch"]
  - apiGroups: [""]
    resources: ["replicationcontrollers"]
    verbs: ["get", "list", "watch"]
  - apiGroups: ["argoproj.io"]
    resources: ["rollouts"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kube-singleton-webhook
  labels:
    app.kubernetes.io/name: kube-singleton
    app.kubernetes.io/component: webhook
    app.kubernetes.io/managed-by: kubectl-singleton
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: kube-singleton-webhook
subjects:
  - kind: ServiceAccount
    name: singleton-webhook
    namespace: singleton-system

"""####),
        ("deploy/base/service.yaml", ####"""
apiVersion: v1
kind: Service
metadata:
  name: singleton-webhook
  namespace: singleton-system
  labels:
    app.kubernetes.io/name: kube-singleton
    app.kubernetes.io/component: webhook
    app.kubernetes.io/managed-by: kubectl-singleton
spec:
  selector:
    app.kubernetes.io/name: kube-singleton
    app.kubernetes.io/component: webhook
  ports:
    - name: https
      port: 443
      targetPort: https
      protocol: TCP

"""####),
        ("deploy/base/webhook.yaml", ####"""
# Six webhooks, each called only for requests that could raise the risk of a second replica
# (matchConditions, CEL), so that while the webhook is down every move toward safety still
# goes through: a scale-down, removing the annotation (the opt-out), a rollout restart, an
# image change. (1) workloads: the workload kinds (with Argo Rollouts); failurePolicy Fail.
# (2) hpa: HPAs that can scale out; (3) scale: the */scale subresources, whose Scale objects
# carry no annotations, so they are passed on a scale-up above 1 and the webhook looks the
# parent up; (4) scaledobjects: KEDA ScaledObjects that can scale out (like an HPA). (2), (3)
# and (4) judge requests against every workload in the cluster, so failurePolicy Ignore by
# default (an outage of the webhook must not block every HPA and scale in the cluster), Fail
# with `kubectl singleton install --failure-policy-scale Fail`. (5) batch: annotated CronJobs
# and Jobs; failurePolicy Fail, as for workloads. (6) unsupported-kinds: DaemonSets that get
# the annotation, which has no effect on them: the webhook only answers with a warning, so
# failurePolicy Ignore. Rules for a kind whose CRD is not installed (Argo Rollouts, KEDA)
# simply match nothing.
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: kube-singleton
  labels:
    app.kubernetes.io/name: kube-singleton
    app.kubernetes.io/component: webhook
    app.kubernetes.io/managed-by: kubectl-singleton
webhooks:
  - name: workloads.kube-singleton.dev
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: Fail
    matchPolicy: Equivalent
    timeoutSeconds: 5
    clientConfig:
      service:
        name: singleton-webhook
        namespace: singleton-system
        path: /validate
        port: 443
    namespaceSelector:
      matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: ["kube-system", "singleton-system"]
    rules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        resources: ["deployments", "statefulsets", "replicasets"]
        operations: ["CREATE", "UPDATE"]
        scope: Namespaced
      - apiGroups: [""]
        apiVersions: ["v1"]
        resources: ["replicationcontrollers"]
        operations: ["CREATE", "UPDATE"]
        scope: Namespaced
      - apiGroups: ["argoproj.io"]
        apiVersions: ["v1alpha1"]
        resources: ["rollouts"]
        operations: ["CREATE", "UPDATE"]
        scope: Namespaced
    matchConditions:
      # The Deployment controller copies a Deployment's annotations onto its ReplicaSets and
      # scales them during rollouts: its writes are never judged, so no rollout waits on us.
      - name: not-the-deployment-controller
        expression: >-
          !(request.userInfo.username in ['system:serviceaccount:kube-system:deployment-controller', 'system:kube-controller-manager'])
      # Only singletons: removing the annotation (the opt-out) is never judged.
      - name: is-singleton
        expression: >-
          has(object.metadata.annotations) && 'kube-singleton.dev/mode' in object.metadata.annotations
      # A create; the mode or lease annotation added or changed; replicas raised above 1; a
      # changed rollout strategy. Anything else (a scale-down, an image change, a restart)
      # is not judged. oldObject is null on CREATE: the first term decides those.
      - name: could-raise-risk
        expression: >-
          request.operation == 'CREATE'
          || !has(oldObject.metadata.annotations)
          || !('kube-singleton.dev/mode' in oldObject.metadata.annotations)
          || object.metadata.annotations['kube-singleton.dev/mode'] != oldObject.metadata.annotations['kube-singleton.dev/mode']
          || ('kube-singleton.dev/lease' in object.metadata.annotations
              && (!('kube-singleton.dev/lease' in oldObject.metadata.annotations)
                  || object.metadata.annotations['kube-singleton.dev/lease'] != oldObject.metadata.annotations['kube-singleton.dev/lease']))
          || (has(object.spec.replicas) && object.spec.replicas > 1
              && (!has(oldObject.spec.replicas) || object.spec.replicas > oldObject.spec.replicas))
          || has(object.spec.strategy) != has(oldObject.spec.strategy)
          || (has(object.spec.strategy) && object.spec.strategy != oldObject.spec.strategy)
  - name: hpa.kube-singleton.dev
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: Ignore
    matchPolicy: Equivalent
    timeoutSeconds: 5
    clientConfig:
      service:
        name: singleton-webhook
        namespace: singleton-system
        path: /validate
        port: 443
    namespaceSelector:
      matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: ["kube-system", "singleton-system"]
    rules:
      - apiGroups: ["autoscaling"]
        apiVersions: ["v1", "v2"]
        resources: ["horizontalpodautoscalers"]
        operations: ["CREATE", "UPDATE"]
        scope: Namespaced
    matchConditions:
      # A create, a raised maxReplicas or a new target, of an HPA that can scale out.
      - name: can-scale-out
        expression: "object.spec.maxReplicas > 1"
      - name: could-raise-risk
        expression: >-
          request.operation == 'CREATE'
          || object.spec.maxReplicas > oldObject.spec.maxReplicas
          || object.spec.scaleTargetRef != oldObject.spec.scaleTargetRef
  - name: scale.kube-singleton.dev
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: Ignore
    matchPolicy: Equivalent
    timeoutSeconds: 5
    clientConfig:
      service:
        name: singleton-webhook
        namespace: singleton-system
        path: /validate
        port: 443
    namespaceSelector:
      matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: ["kube-system", "singleton-system"]
    rules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        resources: ["deployments/scale", "statefulsets/scale", "replicasets/scale"]
        operations: ["UPDATE"]
        scope: Namespaced
      - apiGroups: [""]
        apiVersions: ["v1"]
        resources: ["replicationcontrollers/scale"]
        operations: ["UPDATE"]
        scope: Namespaced
      - apiGroups: ["argoproj.io"]
        apiVersions: ["v1alpha1"]
        resources: ["rollouts/scale"]
        operations: ["UPDATE"]
        scope: Namespaced
    matchConditions:
      # A scale up to more than 1 (a Scale without spec.replicas is a scale to 0).
      - name: scale-up-above-one
        expression: >-
          has(object.spec.replicas) && object.spec.replicas > 1
          && (!has(oldObject.spec.replicas) || object.spec.replicas > oldObject.spec.replicas)
  - name: scaledobjects.kube-singleton.dev
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: Ignore
    matchPolicy: Equivalent
    timeoutSeconds: 5
    clientConfig:
      service:
        name: singleton-webhook
        namespace: singleton-system
        path: /validate
        port: 443
    namespaceSelector:
      matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: ["kube-system", "singleton-system"]
    rules:
      - apiGroups: ["keda.sh"]
        apiVersions: ["v1alpha1"]
        resources: ["scaledobjects"]
        operations: ["CREATE", "UPDATE"]
        scope: Namespaced
    matchConditions:
      # A create, a raised maximum or a new target, of a ScaledObject that can scale out
      # (an unset maxReplicaCount is KEDA's default, 100).
      - name: can-scale-out
        expression: "!has(object.spec.maxReplicaCount) || object.spec.maxReplicaCount > 1"
      - name: could-raise-risk
        expression: >-
          request.operation == 'CREATE'
          || (has(object.spec.maxReplicaCount) && has(oldObject.spec.maxReplicaCount)
              && object.spec.maxReplicaCount > oldObject.spec.maxReplicaCount)
          || (has(object.spec.maxReplicaCount) && !has(oldObject.spec.maxReplicaCount)
              && object.spec.maxReplicaCount > 100)
          || (!has(object.spec.maxReplicaCount) && has(oldObject.spec.maxReplicaCount)
              && oldObject.spec.maxReplicaCount < 100)
          || object.spec.scaleTargetRef != oldObject.spec.scaleTargetRef
  - name: batch.kube-singleton.dev
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: Fail
    matchPolicy: Equivalent
    timeoutSeconds: 5
    clientConfig:
      service:
        name: singleton-webhook
        namespace: singleton-system
        path: /validate
        port: 443
    namespaceSelector:
      matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: ["kube-system", "singleton-system"]
    rules:
      - apiGroups: ["batch"]
        apiVersions: ["v1"]
        resources: ["cronjobs", "jobs"]
        operations: ["CREATE", "UPDATE"]
        scope: Namespaced
    matchConditions:
      # Only singletons: removing the annotation (the opt-out) is never judged.
      - name: is-singleton
        expression: >-
          has(object.metadata.annotations) && 'kube-singleton.dev/mode' in object.metadata.annotations
      # A create; the mode or lease annotation added or changed; a CronJob's concurrencyPolicy
      # or startingDeadlineSeconds changed; parallelism (a Job's, or a CronJob's Job template's)
      # raised above 1. Anything else (a new image or schedule, the controllers' own updates) is
      # not judged. oldObject is null on CREATE: the first term decides those.
      - name: could-raise-risk
        expression: >-
          request.operation == 'CREATE'
          || !has(oldObject.metadata.annotations)
          || !('kube-singleton.dev/mode' in oldObject.metadata.annotations)
          || object.metadata.annotations['kube-singleton.dev/mode'] != oldObject.metadata.annotations['kube-singleton.dev/mode']
          || ('kube-singleton.dev/lease' in object.metadata.annotations
              && (!('kube-singleton.dev/lease' in oldObject.metadata.annotations)
                  || object.metadata.annotations['kube-singleton.dev/lease'] != oldObject.metadata.annotations['kube-singleton.dev/lease']))
          || has(object.spec.concurrencyPolicy) != has(oldObject.spec.concurrencyPolicy)
          || (has(object.spec.concurrencyPolicy) && object.spec.concurrencyPolicy != oldObject.spec.concurrencyPolicy)
          || has(object.spec.startingDeadlineSeconds) != has(oldObject.spec.startingDeadlineSeconds)
          || (has(object.spec.parallelism) && object.spec.parallelism > 1
              && (!has(oldObject.spec.parallelism) || object.spec.parallelism > oldObject.spec.parallelism))
          || (has(object.spec.jobTemplate) && has(object.spec.jobTemplate.spec)
              && has(object.spec.jobTemplate.spec.parallelism) && object.spec.jobTemplate.spec.parallelism > 1
              && (!has(oldObject.spec.jobTemplate) || !has(oldObject.spec.jobTemplate.spec)
                  || !has(oldObject.spec.jobTemplate.spec.parallelism)
                  || object.spec.jobTemplate.spec.parallelism > oldObject.spec.jobTemplate.spec.parallelism))
  - name: unsupported-kinds.kube-singleton.dev
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: Ignore
    matchPolicy: Equivalent
    timeoutSeconds: 5
    clientConfig:
      service:
        name: singleton-webhook
        namespace: singleton-system
        path: /validate
        port: 443
    namespaceSelector:
      matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: ["kube-system", "singleton-system"]
    rules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        resources: ["daemonsets"]
        operations: ["CREATE", "UPDATE"]
        scope: Namespaced
    matchConditions:
      # The mode annotation created or set: the webhook answers with a warning that it has
      # no effect on these kinds.
      - name: annotation-set
        expression: >-
          has(object.metadata.annotations) && 'kube-singleton.dev/mode' in object.metadata.annotations
          && (request.operation == 'CREATE'
              || !has(oldObject.metadata.annotations)
              || !('kube-singleton.dev/mode' in oldObject.metadata.annotations)
              || object.metadata.annotations['kube-singleton.dev/mode'] != oldObject.metadata.annotations['kube-singleton.dev/mode'])

"""####),
        ("deploy/cert-manager/certificate.yaml", ####"""
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: singleton-selfsigned
  namespace: singleton-system
  labels:
    app.kubernetes.io/name: kube-singleton
    app.kubernetes.io/managed-by: kubectl-singleton
spec:
  selfSigned: {}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: singleton-webhook
  namespace: singleton-system
  labels:
    app.kubernetes.io/name: kube-singleton
    app.kubernetes.io/managed-by: kubectl-singleton
spec:
  secretName: singleton-webhook-tls
  duration: 8760h
  renewBefore: 720h
  privateKey:
    algorithm: ECDSA
    size: 256
    rotationPolicy: Always
  dnsNames:
    - singleton-webhook.singleton-system.svc
    - singleton-webhook.singleton-system.svc.cluster.local
  issuerRef:
    name: singleton-selfsigned
    kind: Issuer

"""####),
        ("deploy/cert-manager/inject-ca.yaml", ####"""
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: kube-singleton
  annotations:
    cert-manager.io/inject-ca-from: singleton-system/singleton-webhook

"""####),
        ("deploy/cert-manager/kustomization.yaml", ####"""
# The webhook with certificates from cert-manager: `kubectl apply -k deploy/cert-manager/`.
# cert-manager issues the serving certificate into Secret singleton-webhook-tls (rotating it in
# place; the webhook reloads it) and its CA injector fills the caBundle.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../base
  - certificate.yaml
patches:
  - path: inject-ca.yaml
    target:
      kind: ValidatingWebhookConfiguration
      name: kube-singleton

"""####),
        ("deploy/kustomization.yaml", ####"""
# kube-singleton webhook: `kubectl apply -k deploy/` installs the base. The Secret
# singleton-webhook-tls and the webhook's caBundle must come from somewhere: use the
# cert-manager overlay (`kubectl apply -k deploy/cert-manager/`) or `kubectl singleton install
# --self-signed`, which generates both.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - base

"""####),
    ]
}
