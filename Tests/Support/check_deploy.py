#!/usr/bin/env python3
"""Checks the manifests `ticketing deploy knative` and `ticketing deploy sam` write
(TicketingEndToEndTests/DeployTests runs it).

    check_deploy.py knative MANIFESTS.yaml functions.yaml
    check_deploy.py sam template.yaml functions.yaml
    check_deploy.py compose compose.yaml functions.yaml

The SAM template: cfn-lint (which validates it after SAM's transform), then aws-sam-translator's transform
itself, whose CloudFormation output is checked against functions.yaml: a Lambda image function per function
(FUNCTION naming it), every route in the HTTP API's definition invoking its function, every subscription
and schedule target fed by its SQS queue (ReportBatchItemFailures) with a dead-letter queue, and the dispatcher's
Fargate task sending to that queue (its FUNCTION_URLS entry) with a role allowed to.

Every object of a kind Kubernetes itself defines (ConfigMap, Deployment, …) is validated against that
Kubernetes version's schema by kubernetes-validate, strictly (no unknown fields). Knative's own kinds, which
it has no schema for, get their structure checked here: names Kubernetes accepts, a Service's container with
the image, port 8080, no PORT of its own (Knative reserves it) and the probes; a Trigger's Broker and
subscriber existing; the SinkBinding pointing the dispatcher Deployment at the Broker. And against
functions.yaml: one Service per function (FUNCTION naming it), one Trigger per subscription filtered on its
subject and per schedule target on `schedule:<name>`, every HTTP function routed by the gateway.
Prints what is wrong and exits 1, or prints a summary and exits 0.
"""

import json
import os
import pathlib
import re
import sys

import kubernetes_validate
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

KUBERNETES = "1.33"
NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def knative(path, manifest_path):
    problems = []
    documents = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    manifest = yaml.safe_load(open(manifest_path))
    functions = manifest["functions"]

    by_kind = {}
    validated = 0
    for document in documents:
        kind, name = document.get("kind"), (document.get("metadata") or {}).get("name", "")
        by_kind.setdefault(kind, {})[name] = document
        if not NAME.match(name):
            problems.append(f"{kind} {name!r}: not a valid name")
        try:
            kubernetes_validate.validate(document, KUBERNETES, strict=True)
            validated += 1
        except SchemaNotFoundError:
            pass  # a Knative kind: checked below
        except ValidationError as error:
            problems.append(f"{kind} {name}: {error.message} at {'.'.join(map(str, error.path))}")

    services = by_kind.get("Service", {})
    brokers = by_kind.get("Broker", {})
    deployments = by_kind.get("Deployment", {})
    for name, service in services.items():
        if service.get("apiVersion") != "serving.knative.dev/v1":
            problems.append(f"Service {name}: not a Knative Service")
            continue
        spec = service["spec"]["template"]["spec"]
        containers = spec.get("containers") or []
        if len(containers) != 1 or not containers[0].get("image"):
            problems.append(f"Service {name}: needs exactly one container with an image")
            continue
        container = containers[0]
        if [p.get("containerPort") for p in container.get("ports", [])] != [8080]:
            problems.append(f"Service {name}: the container port must be 8080")
        if any(e.get("name") == "PORT" for e in container.get("env", [])):
            problems.append(f"Service {name}: sets PORT, which Knative reserves")
        for probe, path in (("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready")):
            if (container.get(probe) or {}).get("httpGet", {}).get("path") != path:
                problems.append(f"Service {name}: {probe} must GET {path}")
        timeout = spec.get("timeoutSeconds")
        if not isinstance(timeout, int) or not 0 < timeout <= 600:
            problems.append(f"Service {name}: timeoutSeconds {timeout!r} is not 1-600")

    for name, trigger in by_kind.get("Trigger", {}).items():
        spec = trigger.get("spec", {})
        if spec.get("broker") not in brokers:
            problems.append(f"Trigger {name}: no Broker {spec.get('broker')!r}")
        ref = (spec.get("subscriber") or {}).get("ref") or {}
        if ref.get("kind") != "Service" or ref.get("name") not in services:
            problems.append(f"Trigger {name}: its subscriber is no Service of these manifests")
        if not ((spec.get("filter") or {}).get("attributes") or {}).get("type"):
            problems.append(f"Trigger {name}: filters on no CloudEvent type")

    bindings = by_kind.get("SinkBinding", {})
    if len(bindings) != 1:
        problems.append(f"expected one SinkBinding, found {len(bindings)}")
    for name, binding in bindings.items():
        subject, sink = binding["spec"]["subject"], binding["spec"]["sink"]["ref"]
        if subject.get("kind") != "Deployment" or subject.get("name") not in deployments:
            problems.append(f"SinkBinding {name}: its subject is not the dispatcher Deployment")
        if sink.get("kind") != "Broker" or sink.get("name") not in brokers:
            problems.append(f"SinkBinding {name}: its sink is not the Broker")
    for name, deployment in deployments.items():
        args = deployment["spec"]["template"]["spec"]["containers"][0].get("args")
        if args != ["dispatcher"]:
            problems.append(f"Deployment {name}: runs {args!r}, not the dispatcher")

    # Against functions.yaml.
    triggers = by_kind.get("Trigger", {})
    gateway = next((s for s in services.values() if s["spec"]["template"]["spec"]["containers"][0].get("args") == ["gateway"]), None)
    routes = ""
    if gateway is None:
        problems.append("no Service runs the gateway")
    else:
        env = gateway["spec"]["template"]["spec"]["containers"][0].get("env", [])
        routes = next((e["value"] for e in env if e["name"] == "FUNCTION_URLS"), "")
    for function in functions:
        name = function["name"]
        service = services.get(name)
        env = service["spec"]["template"]["spec"]["containers"][0].get("env", []) if service else []
        if {"name": "FUNCTION", "value": name} not in env:
            problems.append(f"function {name}: no Service runs it")
        if "http" in function:
            if f"{name}=" not in routes:
                problems.append(f"function {name}: the gateway does not route to it")
            continue
        wanted = function["subscribe"] if "subscribe" in function else f"schedule:{name}"
        got = ((triggers.get(name) or {}).get("spec", {}).get("filter") or {}).get("attributes", {}).get("type")
        if got != wanted:
            problems.append(f"function {name}: its Trigger filters on {got!r}, not {wanted!r}")

    if problems:
        print("\n".join(problems))
        return 1
    counts = ", ".join(f"{len(objects)} {kind}" for kind, objects in sorted(by_kind.items()))
    print(f"knative: {len(documents)} objects ({counts}); {validated} validated against Kubernetes {KUBERNETES}")
    return 0


def sam(path, manifest_path):
    import subprocess

    from samtranslator.translator.transform import transform

    # cfn-lint from the same virtual environment as this interpreter.
    cfn_lint = str(pathlib.Path(sys.executable).parent / "cfn-lint")
    linted = subprocess.run([cfn_lint, path], capture_output=True, text=True)
    if linted.returncode != 0:
        print(f"cfn-lint:\n{linted.stdout}{linted.stderr}")
        return 1

    class NoManagedPolicies:
        """The template names no managed policy, so the transform has none to look up."""

        def load(self):
            return {}

    template = yaml.safe_load(open(path))
    # The transform takes the region for its ARNs from boto3's session: any region does.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    parameters = {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/ticketing:1.0"}
    output = transform(template, parameters, NoManagedPolicies())
    resources = output["Resources"]
    functions = yaml.safe_load(open(manifest_path))["functions"]
    problems = []

    lambdas = {}
    for logical, resource in resources.items():
        if resource["Type"] == "AWS::Lambda::Function":
            properties = resource["Properties"]
            name = ((properties.get("Environment") or {}).get("Variables") or {}).get("FUNCTION")
            lambdas[name] = logical
            if properties.get("PackageType") != "Image" or properties.get("Code", {}).get("ImageUri") != {"Ref": "ImageUri"}:
                problems.append(f"{logical}: not an image function of the ImageUri parameter")
    apis = [r for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Api"]
    paths = apis[0]["Properties"]["Body"]["paths"] if len(apis) == 1 else {}
    if len(apis) != 1:
        problems.append(f"expected one HTTP API, found {len(apis)}")
    mappings = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    tasks = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ECS::TaskDefinition"]
    containers = [c for task in tasks for c in task["ContainerDefinitions"] if c.get("Command") == ["dispatcher"]]
    if len(containers) != 1:
        problems.append(f"expected one dispatcher task, found {len(containers)}")
    dispatcher = {e["Name"]: e["Value"] for e in (containers[0]["Environment"] if containers else [])}
    dispatcher_urls = (dispatcher.get("FUNCTION_URLS") or {}).get("Fn::Sub", "")
    role = next((r for k, r in resources.items() if r["Type"] == "AWS::IAM::Role" and k == (
        tasks[0].get("TaskRoleArn", {}).get("Fn::GetAtt", [None])[0] if tasks else None)), None)
    allowed = json.dumps(role["Properties"]["Policies"]) if role else ""
    if containers and (dispatcher.get("DATABASE_URL") != {"Ref": "DatabaseUrl"} or dispatcher.get("JWT_KEY") != {"Ref": "JwtKey"}):
        problems.append("the dispatcher lacks the shared configuration")

    for function in functions:
        name = function["name"]
        logical = lambdas.get(name)
        if logical is None:
            problems.append(f"function {name}: no Lambda function runs it")
            continue
        if "http" in function:
            method, route = function["http"].split()
            method = method.lower()
            integration = (paths.get(route, {}).get(method) or {}).get("x-amazon-apigateway-integration", {})
            if logical not in json.dumps(integration.get("uri")):
                problems.append(f"function {name}: {method.upper()} {route} does not invoke it")
            continue
        mine = [m for m in mappings if m.get("FunctionName") == {"Ref": logical}]
        if len(mine) != 1:
            problems.append(f"function {name}: {len(mine)} event sources, not one queue")
            continue
        if mine[0].get("FunctionResponseTypes") != ["ReportBatchItemFailures"]:
            problems.append(f"function {name}: its queue's batches do not report item failures")
        queue = (mine[0].get("EventSourceArn") or {}).get("Fn::GetAtt", [None])[0]
        policy = (resources.get(queue) or {}).get("Properties", {}).get("RedrivePolicy") or {}
        dead = (policy.get("deadLetterTargetArn") or {}).get("Fn::GetAtt", [None])[0]
        if (resources.get(queue) or {}).get("Type") != "AWS::SQS::Queue" or (resources.get(dead) or {}).get("Type") != "AWS::SQS::Queue":
            problems.append(f"function {name}: not fed by an SQS queue with a dead-letter queue")
        if f"{queue}Url" not in output.get("Outputs", {}):
            problems.append(f"function {name}: its queue's URL is no output")
        if f"{name}=${{{queue}}}" not in dispatcher_urls.split(","):
            problems.append(f"function {name}: the dispatcher does not send to its queue")
        if '"sqs:SendMessage"' not in allowed or f'["{queue}", "Arn"]' not in allowed:
            problems.append(f"function {name}: the dispatcher's role may not send to its queue")

    if problems:
        print("\n".join(problems))
        return 1
    routed = sum(len(methods) for methods in paths.values())
    print(
        f"sam: cfn-lint clean; transformed to {len(resources)} resources: {len(lambdas)} Lambda functions, "
        f"{routed} routes, {len(mappings)} SQS event sources, the dispatcher on Fargate"
    )
    return 0


def compose(path, manifest_path):
    """The compose file (merge keys resolved): one container per function with FUNCTION naming it, on the
    shared environment; the gateway routing every HTTP function, the dispatcher every other one."""
    services = yaml.safe_load(open(path))["services"]
    functions = yaml.safe_load(open(manifest_path))["functions"]
    problems = []
    urls = {
        command: dict(
            pair.split("=", 1) for pair in services[command]["environment"]["FUNCTION_URLS"].split(",")
        )
        for command in ("gateway", "dispatcher")
    }
    for function in functions:
        name = function["name"]
        service = services.get(name) or {}
        environment = service.get("environment") or {}
        if environment.get("FUNCTION") != name or service.get("image") != "ticketing":
            problems.append(f"function {name}: no container of the image runs it")
        if "DATABASE_URL" not in environment or "JWT_KEY" not in environment:
            problems.append(f"function {name}: its container lacks the shared environment")
        front = "gateway" if "http" in function else "dispatcher"
        if urls[front].get(name) != f"http://{name}:8080":
            problems.append(f"function {name}: the {front} does not reach it")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"compose: {len(services)} services, {len(functions)} functions")
    return 0


if __name__ == "__main__":
    checks = {"knative": knative, "sam": sam, "compose": compose}
    if len(sys.argv) != 4 or sys.argv[1] not in checks:
        sys.exit(__doc__)
    sys.exit(checks[sys.argv[1]](sys.argv[2], sys.argv[3]))
