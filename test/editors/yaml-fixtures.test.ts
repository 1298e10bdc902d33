import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { editPin, verifyPin } from "../../src/editors/editors.js";
import type { TargetSpec } from "../../src/editors/target-editor.js";
import { PromoterError } from "../../src/errors.js";

// Real-world files, byte for byte, from ../shared/fixtures/yaml (sources and licences in its SOURCES.md).
const DIR = new URL("../../../shared/fixtures/yaml/files/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, DIR), "utf8");
const DIGEST = `sha256:${"ab".repeat(32)}`;
const REF = `ghcr.io/acme/core-api@${DIGEST}`;
const helm = (path: string, write: "digest" | "reference" = "digest"): TargetSpec => ({ kind: "helm", path: path.split("."), write });
/** By image (the default: the entry whose name or newName is the image), or by the entry's name (targets.kustomization.name). */
const kust = (name: string, by: "image" | "name" = "image"): TargetSpec => ({ kind: "kustomization", name, orNewName: by === "image" });
const container = (name: string, workload?: string): TargetSpec => ({ kind: "manifest", container: name, workload });

type Case = { file: string; spec: TargetSpec; line: number; from: string; to: string } | { file: string; spec: TargetSpec; refused: string };

const CASES: Case[] = [
  { file: "helm-bitnami-nginx-values.yaml", spec: helm("image.digest"), line: 90, from: '  digest: ""', to: `  digest: "${DIGEST}" # core-v1.0.0` },
  { file: "helm-bitnami-nginx-values.yaml", spec: helm("metrics.image.digest"), line: 993, from: '    digest: ""', to: `    digest: "${DIGEST}" # core-v1.0.0` },
  { file: "helm-bitnami-nginx-values.yaml", spec: helm("cloneStaticSiteFromGit.image.digest"), line: 520, from: "    digest: \"\"", to: `    digest: "${DIGEST}" # core-v1.0.0` },
  { file: "helm-prometheus-operator-admission-webhook-values.yaml", spec: helm("image.digest"), line: 243, from: "  digest: \"\"", to: `  digest: "${DIGEST}" # core-v1.0.0` },
  { file: "helm-prometheus-operator-admission-webhook-values.yaml", spec: helm("jobs.image.digest"), line: 88, from: "    digest: \"\"", to: `    digest: "${DIGEST}" # core-v1.0.0` },
  { file: "helm-prometheus-values.yaml", spec: helm("server.image.digest"), line: 199, from: "    digest: \"\"", to: `    digest: "${DIGEST}" # core-v1.0.0` },
  { file: "helm-prometheus-values.yaml", spec: helm("configmapReload.prometheus.image.digest"), line: 62, from: "      digest: \"\"", to: `      digest: "${DIGEST}" # core-v1.0.0` },
  { file: "helm-prometheus-node-exporter-values.yaml", spec: helm("image.digest"), line: 12, from: "  digest: \"\"", to: `  digest: "${DIGEST}" # core-v1.0.0` },
  { file: "helm-ingress-nginx-values.yaml", spec: helm("controller.image.digest"), line: 34, from: "    digest: sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1", to: `    digest: ${DIGEST} # core-v1.0.0` },
  { file: "helm-ingress-nginx-values.yaml", spec: helm("controller.admissionWebhooks.patch.image.digest"), line: 857, from: "        digest: sha256:01038e7de14b78d702d2849c3aad72fd25903c4765af63cf16aa3398f5d5f2dd", to: `        digest: ${DIGEST} # core-v1.0.0` },
  { file: "helm-podinfo-values.yaml", spec: helm("image.digest"), refused: "target_missing" },
  { file: "helm-argocd-helm-guestbook-values.yaml", spec: helm("image", "reference"), refused: "target_not_scalar" },
  { file: "kust-hippocampus-redis-kustomization.yaml", spec: kust("haproxy"), line: 37, from: "- digest: sha256:904b3db4090a816603c89acb2c26a4ab43fd64e91969b8720588d8791e33750a", to: `- digest: ${DIGEST} # core-v1.0.0` },
  // The mirror's repository is the entry's newName: the same entry, and not …/haproxy-exporter beside it.
  { file: "kust-hippocampus-redis-kustomization.yaml", spec: kust("ghcr.io/hippocampus-dev/hippocampus/mirror/haproxy"), line: 37, from: "- digest: sha256:904b3db4090a816603c89acb2c26a4ab43fd64e91969b8720588d8791e33750a", to: `- digest: ${DIGEST} # core-v1.0.0` },
  { file: "kust-hippocampus-redis-kustomization.yaml", spec: kust("ghcr.io/hippocampus-dev/hippocampus/mirror/haproxy", "name"), refused: "target_missing" },
  { file: "kust-hippocampus-cert-manager-kustomization.yaml", spec: kust("quay.io/jetstack/cert-manager-controller"), line: 20, from: "- digest: sha256:368b7c507fa17c03963cf7892f68180ae8e82ca022163f86c330637adb9ac7fd", to: `- digest: ${DIGEST} # core-v1.0.0` },
  { file: "kust-hippocampus-cert-manager-kustomization.yaml", spec: kust("quay.io/jetstack/cert-manager"), refused: "target_missing" },
  { file: "kust-hippocampus-mattermost-kustomization.yaml", spec: kust("alpine"), line: 10, from: "- digest: sha256:22e0ec13c0db6b3e1ba3280e831fc50ba7bffe58e81f31670a64b1afede247bc", to: `- digest: ${DIGEST} # core-v1.0.0` },
  { file: "kust-hippocampus-mattermost-kustomization.yaml", spec: kust("nginx"), refused: "kustomize_new_tag" },
  { file: "kust-microservices-demo-container-images-tag-kustomization.yaml", spec: kust("us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend"), refused: "kustomize_new_tag" },
  { file: "kust-infra-deployments-build-service-production-kustomization.yaml", spec: kust("quay.io/konflux-ci/build-service"), refused: "kustomize_new_tag" },
  { file: "man-podinfo-cronjob-warm-cache.yaml", spec: container("warm-cache"), line: 46, from: "            image: ghcr.io/stefanprodan/podinfo:6.14.1", to: `            image: ${REF} # core-v1.0.0` },
  { file: "man-podinfo-statefulset-primary.yaml", spec: container("database"), line: 25, from: "        image: ghcr.io/stefanprodan/podinfo:6.14.1", to: `        image: ${REF} # core-v1.0.0` },
  { file: "man-argocd-sync-waves-manifests.yaml", spec: container("main"), refused: "target_ambiguous" },
  { file: "man-argocd-guestbook-ui-deployment.yaml", spec: container("guestbook-ui"), line: 17, from: "        - image: gcr.io/google-samples/gb-frontend:v5", to: `        - image: ${REF} # core-v1.0.0` },
  { file: "man-k8s-examples-guestbook-all-in-one.yaml", spec: container("php-redis"), line: 135, from: "        image: gcr.io/google-samples/gb-frontend:v5", to: `        image: ${REF} # core-v1.0.0` },
  // A human's comment on the image line: the edit would delete it.
  { file: "man-k8s-examples-guestbook-all-in-one.yaml", spec: container("master"), refused: "trailing_comment" },
  { file: "man-k8s-examples-cassandra-statefulset.yaml", spec: container("cassandra"), line: 21, from: "        image: gcr.io/google-samples/cassandra:v14", to: `        image: ${REF} # core-v1.0.0` },
  { file: "man-k8s-examples-cockroachdb-statefulset.yaml", spec: container("cockroachdb"), line: 128, from: "        image: cockroachdb/cockroach:v1.1.0", to: `        image: ${REF} # core-v1.0.0` },
  { file: "man-k8s-examples-sysdig-daemonset-crlf.yaml", spec: container("sysdig-agent"), line: 42, from: "        image: sysdig/agent\r", to: `        image: ${REF} # core-v1.0.0\r` },
  { file: "man-hippocampus-anonymous-proxy-deployment.yaml", spec: container("anonymous-proxy"), line: 38, from: "          image: ghcr.io/hippocampus-dev/hippocampus/anonymous-proxy", to: `          image: ${REF} # core-v1.0.0` },
  { file: "man-microservices-demo-kubernetes-manifests.yaml", spec: container("server"), refused: "target_ambiguous" },
  { file: "man-microservices-demo-kubernetes-manifests.yaml", spec: container("server", "adservice"), line: 180, from: "        image: us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/adservice:v0.10.6", to: `        image: ${REF} # core-v1.0.0` },
  { file: "man-ingress-nginx-cloud-deploy.yaml", spec: container("controller"), line: 446, from: "        image: registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1", to: `        image: ${REF} # core-v1.0.0` },
  { file: "man-ingress-nginx-cloud-deploy.yaml", spec: container("create"), line: 549, from: "        image: registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9@sha256:01038e7de14b78d702d2849c3aad72fd25903c4765af63cf16aa3398f5d5f2dd", to: `        image: ${REF} # core-v1.0.0` },
];

describe("real-world YAML files (../shared/fixtures/yaml)", () => {
  it("covers every file of the corpus", () => {
    const files = readdirSync(DIR).filter((name) => name.endsWith(".yaml")).sort();
    expect([...new Set(CASES.map((c) => c.file))].sort()).toEqual(files);
  });

  for (const testCase of CASES) {
    const what = "refused" in testCase ? `refuses (${testCase.refused})` : "edits one line";
    it(`${testCase.file}: ${JSON.stringify(testCase.spec)} ${what}`, async () => {
      const text = read(testCase.file);
      const value = testCase.spec.kind === "manifest" || (testCase.spec.kind === "helm" && testCase.spec.write === "reference") ? REF : DIGEST;
      const change = { value, marker: "core-v1.0.0" };
      const options = { file: testCase.file, markerPrefix: "core" };
      if ("refused" in testCase) {
        let caught: unknown;
        try {
          editPin(text, testCase.spec, change, options);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(PromoterError);
        expect((caught as PromoterError).code).toBe(testCase.refused);
        return;
      }
      const edit = editPin(text, testCase.spec, change, options);
      await verifyPin(text, edit.text, testCase.spec, change, options);
      const before = text.split("\n");
      const after = edit.text.split("\n");
      expect(after).toHaveLength(before.length);
      const changed = before.flatMap((line, index) => (line === after[index] ? [] : [{ line: index + 1, from: line, to: after[index] }]));
      expect(changed).toEqual([{ line: testCase.line, from: testCase.from, to: testCase.to }]);
    });
  }
});
