import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  K8sObject,
  renderOverlay,
  ROOT,
  schemaErrors,
  unknownFieldErrors,
} from '../../test/support/k8s-manifests';
import { PRODUCTION_ENV } from '../../test/support/production-env';
import { SMS_QUEUE } from '../queue/sms-queue';
import {
  ALL_SECRET_SETTINGS as SECRET_SETTINGS,
  ALL_SETTINGS,
  parseConfig,
} from '../providers/provider-config';

// deploy/k8s rendered by kustomize, each overlay as `kubectl apply -k` would send it, held to the code:
// the settings, ports, shutdown grace, partition count and alert rules it must agree with.
const SETTINGS = new Set(ALL_SETTINGS);
const SECRETS = new Set<string>(SECRET_SETTINGS);
const ROLE_PORT: Record<string, string> = {
  api: 'API_PORT',
  ingest: 'INGEST_PORT',
  dispatcher: 'DISPATCHER_PORT',
  sandbox: 'SANDBOX_PORT',
};
const OVERLAYS = ['local', 'production'] as const;
const rendered: Record<string, K8sObject[]> = {};

beforeAll(() => {
  // kubectl kustomize takes about a second per overlay; fetching kubectl on a machine without one longer.
  for (const overlay of OVERLAYS) rendered[overlay] = renderOverlay(overlay);
}, 180_000);

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
const component = (o: K8sObject): string => o.metadata.labels?.['app.kubernetes.io/component'] ?? '';
const container = (d: K8sObject) => d.spec.template.spec.containers[0];
const configMap = (objects: K8sObject[]) => ofKind(objects, 'ConfigMap')[0];

/** What a role's container sees as its environment, with the Secret's values where the overlay has one. */
function environment(objects: K8sObject[], deployment: K8sObject, secrets: Record<string, string>) {
  const env: Record<string, string> = {};
  for (const from of container(deployment).envFrom ?? []) {
    const cm = one(objects, 'ConfigMap', from.configMapRef.name);
    Object.assign(env, cm.data);
  }
  for (const e of container(deployment).env ?? []) {
    env[e.name] = e.value ?? secrets[e.valueFrom.secretKeyRef.key];
  }
  return env;
}

describe.each(OVERLAYS)('deploy/k8s/overlays/%s', (overlay) => {
  const objects = () => rendered[overlay];
  const deployments = () => ofKind(objects(), 'Deployment');

  it('validates against the Kubernetes OpenAPI schemas and the KEDA and Prometheus Operator CRDs', () => {
    expect(schemaErrors(objects())).toEqual([]);
  });

  // A TypeScript program over the models' declarations: a few seconds, more on a loaded machine.
  it('names no field the schemas do not know', () => {
    expect(unknownFieldErrors(objects())).toEqual([]);
  }, 60_000);

  it('uses as environment only settings config.schema.ts knows', () => {
    const names = new Set<string>();
    for (const cm of ofKind(objects(), 'ConfigMap')) Object.keys(cm.data ?? {}).forEach((k) => names.add(k));
    for (const s of ofKind(objects(), 'Secret')) Object.keys(s.data ?? {}).forEach((k) => names.add(k));
    for (const d of deployments()) {
      for (const e of container(d).env ?? []) names.add(e.name);
      for (const from of container(d).envFrom ?? []) expect(from.secretRef).toBeUndefined();
    }
    expect([...names].filter((n) => !SETTINGS.has(n))).toEqual([]);
    expect(names.size).toBeGreaterThan(20);
  });

  it('gives every role each secret setting from a Secret, and the ConfigMap none', () => {
    expect(Object.keys(configMap(objects()).data).filter((k) => SECRETS.has(k))).toEqual([]);
    for (const d of deployments().filter((d) => component(d) !== 'sandbox')) {
      const fromSecret = (container(d).env ?? [])
        .filter((e: any) => e.valueFrom?.secretKeyRef?.key === e.name)
        .map((e: any) => e.name);
      expect({ [d.metadata.name]: fromSecret.sort() }).toEqual({ [d.metadata.name]: [...SECRETS].sort() });
      expect((container(d).env ?? []).filter((e: any) => e.value !== undefined)).toEqual([]);
    }
  });

  it('starts every role on a configuration the schema accepts', () => {
    const secret = ofKind(objects(), 'Secret')[0];
    // Production's Secret lives outside the repository: values of the right shape stand in for it.
    const secrets: Record<string, string> = secret
      ? Object.fromEntries(
          Object.entries(secret.data as Record<string, string>).map(([k, v]) => [
            k,
            Buffer.from(v, 'base64').toString(),
          ]),
        )
      : productionLikeSecrets();
    for (const d of deployments()) {
      const env = environment(objects(), d, secrets);
      const config = parseConfig(env);
      const role = component(d);
      const c = container(d);
      // The roles run on the product image's entrypoint (node dist/main.js <role>); the sandbox has an
      // image of its own, so no tool code is in the product image.
      if (role === 'sandbox') {
        expect({ image: String(c.image).split(':')[0], args: c.args }).toEqual({
          image: 'alertline-sandbox',
          args: undefined,
        });
      } else
        expect({ image: String(c.image).split(':')[0], args: c.args }).toEqual({
          image: 'alertline',
          args: [role],
        });
      const port = container(d).ports.find((p: any) => p.name === 'http');
      expect(port.containerPort).toBe(config[ROLE_PORT[role] as 'API_PORT']);
      if (role !== 'sandbox') expect(config.BIND_HOST).toBe('0.0.0.0');
    }
  });

  it('probes the health endpoints and lets each role finish its shutdown', () => {
    const graceMs = Number(configMap(objects()).data.SHUTDOWN_GRACE_MS);
    for (const d of deployments()) {
      const c = container(d);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      const preStopMs = Number(
        /setTimeout\(\(\) => \{\}, (\d+)\)/.exec(c.lifecycle?.preStop?.exec?.command?.[2])?.[1] ?? 0,
      );
      // The role's own deadline plus time to exit, or the kubelet kills it mid-drain.
      expect(d.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(
        preStopMs + graceMs + 5000,
      );
    }
    expect(container(one(objects(), 'Deployment', 'alertline-api')).lifecycle.preStop).toBeDefined();
  });

  it('runs every container non-root with a read-only root, no privileges, requests and limits', () => {
    for (const d of deployments()) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      for (const c of pod.containers) {
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
        expect(c.image).toMatch(
          overlay === 'production' ? /^alertline:\d+\.\d+\.\d+$/ : /^alertline(-sandbox)?:local$/,
        );
      }
    }
  });

  it('covers every role with a PodDisruptionBudget and exactly one autoscaler', () => {
    const pdbs = ofKind(objects(), 'PodDisruptionBudget');
    const hpas = ofKind(objects(), 'HorizontalPodAutoscaler');
    const scaled = ofKind(objects(), 'ScaledObject');
    for (const d of deployments().filter((d) => component(d) !== 'sandbox')) {
      const selects = (sel: Record<string, string>) =>
        Object.entries(sel).every(([k, v]) => d.spec.template.metadata.labels[k] === v);
      expect(pdbs.filter((p) => selects(p.spec.selector.matchLabels))).toHaveLength(1);
      const scalers = [
        ...hpas.filter((h) => h.spec.scaleTargetRef.name === d.metadata.name),
        ...scaled.filter((s) => s.spec.scaleTargetRef.name === d.metadata.name),
      ];
      expect({ [d.metadata.name]: scalers.length }).toEqual({ [d.metadata.name]: 1 });
      expect(d.spec.replicas).toBeUndefined();
    }
  });

  it('scales ingest no further than the partitions of the transactions topic', () => {
    const topics = readFileSync(path.join(ROOT, 'deploy/topics.js'), 'utf8');
    const partitions = Number(/intEnv\('KAFKA_TRANSACTIONS_PARTITIONS', (\d+)\)/.exec(topics)?.[1]);
    expect(partitions).toBeGreaterThan(0);
    expect(
      one(objects(), 'HorizontalPodAutoscaler', 'alertline-ingest').spec.maxReplicas,
    ).toBeLessThanOrEqual(partitions);
  });

  it('scales the dispatcher on the queue and the consumer lag the roles actually use', () => {
    const cm = configMap(objects()).data;
    const triggers = one(objects(), 'ScaledObject', 'alertline-dispatcher').spec.triggers;
    const redis = triggers.find((t: any) => t.type === 'redis');
    const kafka = triggers.find((t: any) => t.type === 'kafka');
    expect(redis.metadata.listName).toBe(`${cm.QUEUE_PREFIX}:${SMS_QUEUE}:wait`);
    expect(kafka.metadata).toMatchObject({
      bootstrapServers: cm.KAFKA_BROKERS,
      consumerGroup: cm.KAFKA_GROUP_ID,
      topic: cm.KAFKA_TOPIC_TRANSACTIONS,
    });
  });

  it('lets only the api receive requests from outside the namespace and its scrapers', () => {
    for (const np of ofKind(objects(), 'NetworkPolicy')) {
      for (const rule of np.spec.ingress ?? []) {
        if (rule.from) continue;
        expect({ [np.metadata.name]: np.spec.podSelector.matchLabels }).toEqual({
          [np.metadata.name]: {
            'app.kubernetes.io/part-of': 'alertline',
            'app.kubernetes.io/component': 'api',
          },
        });
      }
    }
    const deny = one(objects(), 'NetworkPolicy', 'alertline-default-deny-ingress');
    expect(deny.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'alertline' } },
      policyTypes: ['Ingress'],
    });
  });

  it('gives the Prometheus Operator the rules of deploy/prometheus/alerts.yml, with their labels', () => {
    const alerts = parse(readFileSync(path.join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8'));
    // Differs after an edit of alerts.yml: run `node deploy/k8s/prometheusrule.js`.
    expect(one(objects(), 'PrometheusRule', 'alertline').spec.groups).toEqual(alerts.groups);
    const monitor = one(objects(), 'ServiceMonitor', 'alertline');
    // AlertlineRoleDown reads up{job="alertline"} and $labels.role.
    for (const svc of ofKind(objects(), 'Service'))
      expect(svc.metadata.labels?.[monitor.spec.jobLabel]).toBe('alertline');
    expect(monitor.spec.endpoints[0].relabelings).toContainEqual({
      sourceLabels: ['__meta_kubernetes_service_label_app_kubernetes_io_component'],
      targetLabel: 'role',
    });
  });

  it(overlay === 'local' ? 'runs the sandbox' : 'holds no sandbox and no Secret', () => {
    const sandbox = deployments().filter((d) => component(d) === 'sandbox');
    expect(sandbox).toHaveLength(overlay === 'local' ? 1 : 0);
    if (overlay === 'production') expect(ofKind(objects(), 'Secret')).toEqual([]);
  });
});

it('lists as secret every setting whose name says it is a credential', () => {
  expect([...SECRETS].filter((s) => !SETTINGS.has(s))).toEqual([]);
  const credentialLike = [...SETTINGS].filter((s) =>
    /TOKEN|SECRET|PASSWORD|API_KEY|_SID$|^DATA_(HASH_)?KEYS?$/.test(s),
  );
  expect(credentialLike.filter((s) => !SECRETS.has(s))).toEqual([]);
});

/** Values that pass the production rules (no sandbox values, 32+ character API keys): PRODUCTION_ENV's. */
function productionLikeSecrets(): Record<string, string> {
  const env: Record<string, string> = {
    ...PRODUCTION_ENV,
    DATABASE_URL: 'postgres://alertline:pw@postgres.bank.example:5432/alertline',
    REDIS_URL: 'redis://:pw@redis.bank.example:6379',
    SMPP_SYSTEM_ID: 'bank',
    SMPP_PASSWORD: 'pw123456',
    DATA_KEYS: `k2027:${Buffer.alloc(32, 7).toString('base64')}`,
    DATA_HASH_KEY: Buffer.alloc(32, 9).toString('base64'),
  };
  return Object.fromEntries(Object.entries(env).filter(([k]) => SECRETS.has(k)));
}
