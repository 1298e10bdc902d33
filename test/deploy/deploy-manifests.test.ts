/**
 * deploy/: the compose file and the Kubernetes manifests agree with each other and with the app
 * (its port, its health route, its user, the variable it reads for Redis, the SIGTERM grace it
 * takes). No Docker engine or cluster here: the files are parsed and checked field by field.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const dockerfile = read("Dockerfile");
const appPort = Number(/^EXPOSE (\d+)$/m.exec(dockerfile)?.[1]);
const manifests = (path: string) => parseAllDocuments(read(path)).map((document) => document.toJS()) as Array<Record<string, any>>;

describe("deploy/", () => {
  it("compose: two app replicas behind a load balancer, one Redis with an append-only file, the key as a secret file that git ignores", () => {
    const compose = parse(read("deploy/compose.yaml")) as Record<string, any>;
    const { app, redis, lb } = compose.services;
    expect(app.deploy.replicas).toBe(2);
    expect(app.environment.REDIS_URL).toBe("redis://redis:6379");
    expect(app.environment.PRIVATE_KEY_PATH).toBe("/run/secrets/private-key");
    expect(app.ports).toBeUndefined(); // replicas cannot share a host port: the load balancer publishes it
    expect(app.init).toBe(true); // SIGTERM reaches Node, which drains
    expect(Number.parseInt(app.stop_grace_period, 10)).toBeGreaterThan(25);
    expect(redis.command).toEqual(expect.arrayContaining(["--appendonly", "yes"]));
    expect(compose.configs.lb.content).toContain(`server app:${appPort};`);
    expect(lb.ports).toEqual(["3000:80"]);
    expect(compose.secrets["private-key"].file).toBe("./secrets/private-key.pem");
    expect(read(".gitignore").split("\n")).toContain("deploy/secrets/");
  });

  it("Kubernetes: a Deployment of two replicas, probes on the app's port and /healthz, Redis and the Secret named consistently", () => {
    const app = manifests("deploy/kubernetes/release-promoter.yaml");
    const redis = manifests("deploy/kubernetes/redis.yaml");
    const deployment = app.find((m) => m.kind === "Deployment")!;
    const service = app.find((m) => m.kind === "Service")!;
    const redisService = redis.find((m) => m.kind === "Service")!;
    const redisSet = redis.find((m) => m.kind === "StatefulSet")!;

    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    // The app drains for 25 s on SIGTERM (src/index.ts); Kubernetes must wait longer before SIGKILL.
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(25);
    // The image runs as the node user (uid 1000).
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(deployment.spec.template.spec.securityContext.runAsUser).toBe(1000);

    const [container] = deployment.spec.template.spec.containers;
    expect(container.ports).toEqual([{ name: "http", containerPort: appPort }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.livenessProbe.tcpSocket).toEqual({ port: "http" });
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]));
    expect(env.REDIS_URL).toBe(`redis://${redisService.metadata.name}:${redisService.spec.ports[0].port}`);
    expect(env.APP_ID).toEqual({ secretKeyRef: { name: "release-promoter", key: "APP_ID" } });
    expect(env.WEBHOOK_SECRET).toEqual({ secretKeyRef: { name: "release-promoter", key: "WEBHOOK_SECRET" } });
    const keyVolume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === "private-key");
    expect(keyVolume.secret.secretName).toBe("release-promoter");
    const mount = container.volumeMounts.find((m: { name: string }) => m.name === "private-key");
    expect(env.PRIVATE_KEY_PATH).toBe(`${mount.mountPath}/${keyVolume.secret.items[0].path}`);

    expect(redisService.spec.selector).toEqual(redisSet.spec.template.metadata.labels);
    expect(redisSet.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(["--appendonly", "yes"]));
  });
});
