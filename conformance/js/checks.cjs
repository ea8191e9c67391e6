// Checks of the official AWS SDK for JavaScript v3 (@aws-sdk/client-ecs, unmodified) against
// fakeecs. `node checks.cjs NAME` runs one check and exits 0 when it held; test_js_sdk.py runs
// each one with the fake's endpoint in AWS_ENDPOINT_URL and a valid awsvpc network in
// CONFORMANCE_NETWORK. The fake's control API (plain HTTP under /_fakeecs/) moves its clock.
"use strict";
const assert = require("node:assert/strict");
const ecs = require("@aws-sdk/client-ecs");

const endpoint = process.env.AWS_ENDPOINT_URL;
const network = JSON.parse(process.env.CONFORMANCE_NETWORK || "{}");
const client = new ecs.ECSClient({ endpoint, region: process.env.AWS_DEFAULT_REGION });
const CLUSTER = "conformance";
const FAMILY = "web";

async function control(method, route, body) {
  const answer = await fetch(`${endpoint}/_fakeecs/${route}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  assert.equal(answer.status, 200, `control ${route}: ${text}`);
  return JSON.parse(text);
}

const advance = (seconds) => control("POST", "clock/advance", { seconds });
const behaviour = (spec) => control("POST", "behaviours", { family: FAMILY, ...spec });

async function callsOf(operation) {
  return (await control("GET", "calls")).filter((c) => c.operation === operation);
}

async function untilCalled(operation, count) {
  const deadline = Date.now() + 60000;
  while ((await callsOf(operation)).length < count) {
    assert.ok(Date.now() < deadline, `no ${operation} call from the SDK`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function world() {
  await client.send(new ecs.CreateClusterCommand({ clusterName: CLUSTER }));
  await client.send(
    new ecs.RegisterTaskDefinitionCommand({
      family: FAMILY,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "main", image: "example/web:1" }],
    }),
  );
}

function runTask(extra = {}) {
  return client.send(
    new ecs.RunTaskCommand({
      cluster: CLUSTER,
      taskDefinition: FAMILY,
      launchType: "FARGATE",
      networkConfiguration: network,
      ...extra,
    }),
  );
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("the call succeeded; ECS refuses it");
}

const checks = {
  // API_CreateCluster, API_DescribeClusters: an unknown cluster is a failure with reason MISSING.
  async clusters() {
    const created = (await client.send(new ecs.CreateClusterCommand({ clusterName: CLUSTER }))).cluster;
    assert.equal(created.status, "ACTIVE");
    assert.equal(created.clusterArn, `arn:aws:ecs:us-east-1:123456789012:cluster/${CLUSTER}`);
    const described = await client.send(
      new ecs.DescribeClustersCommand({ clusters: [CLUSTER, "nowhere"] }),
    );
    assert.deepEqual(described.clusters.map((c) => c.clusterName), [CLUSTER]);
    assert.equal(described.failures[0].reason, "MISSING");
    assert.equal(described.failures[0].arn, "arn:aws:ecs:us-east-1:123456789012:cluster/nowhere");
  },

  // API_RegisterTaskDefinition: revisions count up per family; registeredAt is a timestamp.
  async taskDefinitions() {
    await world();
    await world();
    const { taskDefinition } = await client.send(
      new ecs.DescribeTaskDefinitionCommand({ taskDefinition: FAMILY }),
    );
    assert.equal(taskDefinition.revision, 2);
    assert.equal(taskDefinition.status, "ACTIVE");
    assert.ok(taskDefinition.registeredAt instanceof Date);
    const families = await client.send(new ecs.ListTaskDefinitionFamiliesCommand({}));
    assert.deepEqual(families.families, [FAMILY]);
  },

  // API_RunTask, API_DescribeTasks: PROVISIONING first, RUNNING later; dates parse; MISSING.
  async runAndDescribe() {
    await world();
    await behaviour({ runSeconds: 600 });
    const started = await runTask({ count: 2 });
    assert.equal(started.tasks.length, 2);
    assert.deepEqual(started.tasks.map((t) => t.lastStatus), ["PROVISIONING", "PROVISIONING"]);
    assert.ok(started.tasks[0].createdAt instanceof Date);
    await advance(10);
    const arns = started.tasks.map((t) => t.taskArn);
    const missing = arns[0].replace(/[0-9a-f]{32}$/, "0".repeat(32));
    const described = await client.send(
      new ecs.DescribeTasksCommand({ cluster: CLUSTER, tasks: [...arns, missing] }),
    );
    assert.deepEqual(described.tasks.map((t) => t.lastStatus), ["RUNNING", "RUNNING"]);
    assert.ok(described.tasks[0].startedAt instanceof Date);
    assert.ok(described.tasks[0].startedAt > described.tasks[0].createdAt);
    assert.deepEqual(described.failures, [{ arn: missing, reason: "MISSING" }]);
  },

  // API_ListTasks: maxResults per page, nextToken until the last page.
  async paginator() {
    await world();
    await behaviour({ runSeconds: 600 });
    const arns = [];
    for (let i = 0; i < 5; i++) arns.push((await runTask()).tasks[0].taskArn);
    const pages = [];
    for await (const page of ecs.paginateListTasks({ client, pageSize: 2 }, { cluster: CLUSTER })) {
      pages.push(page.taskArns);
    }
    assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
    assert.deepEqual(pages.flat().sort(), arns.sort());
  },

  // API_DescribeTasks and the SDK's TasksStopped waiter: success once every task is STOPPED.
  async waiters() {
    await world();
    await behaviour({ runSeconds: 30, exitCode: 3 });
    const arn = (await runTask()).tasks[0].taskArn;
    const waiting = ecs.waitUntilTasksStopped(
      { client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      { cluster: CLUSTER, tasks: [arn] },
    );
    await untilCalled("DescribeTasks", 1);
    await advance(120);
    const result = await waiting;
    assert.equal(result.state, "SUCCESS");
    const task = result.reason.tasks[0];
    assert.equal(task.stopCode, "EssentialContainerExited");
    assert.equal(task.containers[0].exitCode, 3);
  },

  // API_DescribeServices, API_UpdateService: the ServicesStable waiter after a scale-up.
  async services() {
    await world();
    await behaviour({ runSeconds: 10 ** 7 });
    await client.send(
      new ecs.CreateServiceCommand({
        cluster: CLUSTER, serviceName: "api", taskDefinition: FAMILY, desiredCount: 1,
        launchType: "FARGATE", networkConfiguration: network,
      }),
    );
    await client.send(new ecs.UpdateServiceCommand({ cluster: CLUSTER, service: "api", desiredCount: 3 }));
    const waiting = ecs.waitUntilServicesStable(
      { client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      { cluster: CLUSTER, services: ["api"] },
    );
    await untilCalled("DescribeServices", 1);
    await advance(120);
    const result = await waiting;
    assert.equal(result.state, "SUCCESS");
    const service = result.reason.services[0];
    assert.equal(service.runningCount, 3);
    assert.equal(service.deployments.length, 1);
  },

  // API_DescribeServices errors: ClusterNotFoundException, a client fault, HTTP 400.
  async errors() {
    const error = await rejection(
      client.send(new ecs.DescribeServicesCommand({ cluster: "nowhere", services: ["api"] })),
    );
    assert.ok(error instanceof ecs.ClusterNotFoundException, `${error.name}: ${error.message}`);
    assert.equal(error.$fault, "client");
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.equal(error.message, "Cluster not found.");
  },

  // API_RunTask clientToken + ConflictException.resourceIds (the tasks already tied to the token).
  async conflictResourceIds() {
    await world();
    await behaviour({ runSeconds: 600 });
    const first = await runTask({ clientToken: "conformance-token-1" });
    const arn = first.tasks[0].taskArn;
    const again = await runTask({ clientToken: "conformance-token-1" });
    assert.equal(again.tasks[0].taskArn, arn);
    const error = await rejection(runTask({ clientToken: "conformance-token-1", count: 2 }));
    assert.ok(error instanceof ecs.ConflictException, `${error.name}: ${error.message}`);
    assert.deepEqual(error.resourceIds, [arn]);
  },

  // API_TagResource, API_UntagResource, API_ListTagsForResource on a cluster.
  async tags() {
    const arn = (await client.send(new ecs.CreateClusterCommand({ clusterName: CLUSTER }))).cluster.clusterArn;
    await client.send(
      new ecs.TagResourceCommand({ resourceArn: arn, tags: [{ key: "team", value: "data" }, { key: "env", value: "ci" }] }),
    );
    await client.send(new ecs.UntagResourceCommand({ resourceArn: arn, tagKeys: ["env"] }));
    const listed = await client.send(new ecs.ListTagsForResourceCommand({ resourceArn: arn }));
    assert.deepEqual(listed.tags, [{ key: "team", value: "data" }]);
  },
};

async function main() {
  const name = process.argv[2];
  if (!(name in checks)) {
    console.error(`unknown check ${name}; known: ${Object.keys(checks).join(", ")}`);
    process.exit(2);
  }
  await checks[name]();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error && error.stack ? error.stack : error);
    process.exit(1);
  },
);
