import { spawnSync } from 'node:child_process';
import path from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

export const ROOT = path.resolve(__dirname, '..', '..');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: any;
}

/** `kubectl kustomize` (kustomize v5) of deploy/k8s/overlays/<overlay>; deploy/k8s/kubectl.sh finds one. */
export function renderOverlay(overlay: string): K8sObject[] {
  const dir = path.join(ROOT, 'deploy/k8s/overlays', overlay);
  const run = spawnSync('bash', [path.join(ROOT, 'deploy/k8s/kubectl.sh'), 'kustomize', dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`kustomize ${overlay} failed (${run.status}): ${run.stderr}`);
  return parseAllDocuments(run.stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`kustomize ${overlay}: ${doc.errors[0].message}`);
    const object = doc.toJS() as K8sObject;
    // kustomize folds long base64 values over lines, which the API server's decoder skips (Go's
    // encoding/base64 ignores line breaks) but the schema's "byte" format does not.
    if (object.kind === 'Secret' && object.data) {
      for (const key of Object.keys(object.data))
        object.data[key] = String(object.data[key]).replace(/\s/g, '');
    }
    return object;
  });
}

// Each kind the manifests may hold: its model (the OpenAPI schema of Kubernetes 1.27 for the core API,
// the operators' CRD schemas for KEDA and the Prometheus Operator) and the type naming every field it has.
const KINDS: Record<
  string,
  { model: new (data: any) => { validate(): void }; module: string; type: string }
> = {
  'v1/Namespace': { model: core.Namespace, module: 'kubernetes-models/v1', type: 'INamespace' },
  'v1/ConfigMap': { model: core.ConfigMap, module: 'kubernetes-models/v1', type: 'IConfigMap' },
  'v1/Secret': { model: core.Secret, module: 'kubernetes-models/v1', type: 'ISecret' },
  'v1/Service': { model: core.Service, module: 'kubernetes-models/v1', type: 'IService' },
  'apps/v1/Deployment': { model: apps.Deployment, module: 'kubernetes-models/apps/v1', type: 'IDeployment' },
  'policy/v1/PodDisruptionBudget': {
    model: policy.PodDisruptionBudget,
    module: 'kubernetes-models/policy/v1',
    type: 'IPodDisruptionBudget',
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    model: autoscaling.HorizontalPodAutoscaler,
    module: 'kubernetes-models/autoscaling/v2',
    type: 'IHorizontalPodAutoscaler',
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    model: networking.NetworkPolicy,
    module: 'kubernetes-models/networking.k8s.io/v1',
    type: 'INetworkPolicy',
  },
  'keda.sh/v1alpha1/ScaledObject': {
    model: keda.ScaledObject,
    module: '@kubernetes-models/keda/keda.sh/v1alpha1',
    type: 'IScaledObject',
  },
  'keda.sh/v1alpha1/TriggerAuthentication': {
    model: keda.TriggerAuthentication,
    module: '@kubernetes-models/keda/keda.sh/v1alpha1',
    type: 'ITriggerAuthentication',
  },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    model: monitoring.ServiceMonitor,
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
    type: 'IServiceMonitor',
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    model: monitoring.PrometheusRule,
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
    type: 'IPrometheusRule',
  },
};

const kindKey = (o: K8sObject) => `${o.apiVersion}/${o.kind}`;
const label = (o: K8sObject) => `${o.kind}/${o.metadata?.name}`;

/** Schema errors (types, formats, required fields, enums), one line per object; a kind without a schema is one. */
export function schemaErrors(objects: K8sObject[]): string[] {
  const errors: string[] = [];
  for (const o of objects) {
    const kind = KINDS[kindKey(o)];
    if (!kind) {
      errors.push(`${label(o)}: no schema for ${kindKey(o)}`);
      continue;
    }
    try {
      new kind.model(o).validate();
    } catch (err) {
      errors.push(`${label(o)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return errors;
}

/**
 * Fields the schemas do not know (a misspelt `readinesProbe` passes the JSON schemas, which allow extra
 * properties): every object is type-checked as an object literal of its model's TypeScript type, and
 * TypeScript refuses a property the type does not declare, at any depth.
 */
export function unknownFieldErrors(objects: K8sObject[]): string[] {
  const file = path.join(ROOT, 'test/support/__k8s_manifests_check.ts');
  const lines = objects
    .filter((o) => KINDS[kindKey(o)])
    .map((o, i) => {
      const { module, type } = KINDS[kindKey(o)];
      return `// ${label(o)}\nexport const o${i}: import(${JSON.stringify(module)}).${type} = ${JSON.stringify(o)};`;
    });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    path.resolve(name) === file ? ts.createSourceFile(name, source, version) : read(name, version, ...rest);
  host.fileExists = (
    (exists) => (name: string) =>
      path.resolve(name) === file || exists(name)
  )(host.fileExists.bind(host));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    // The line before each object's line names it (`// Kind/name`).
    const object = source.split('\n')[line - 1]?.replace(/^\/\/ /, '') ?? '?';
    return `${object}: ${text.split('\n').slice(-2).join(' ')}`;
  });
}
