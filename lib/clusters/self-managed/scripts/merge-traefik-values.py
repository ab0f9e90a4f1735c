# cdk-k8s-platform: merges the ingress endpoint into Traefik values (this file never holds a single quote)
import json, sys
current, hostname, kind, out = sys.argv[1:5]
prefix = "--providers.kubernetesingress.ingressendpoint."
text = open(current).read()
values = None
if text.strip():
    try:
        values = json.loads(text)
    except ValueError:
        try:
            import yaml
        except ImportError:
            sys.exit("python3 with PyYAML is needed to merge the existing Traefik values")
        values = yaml.safe_load(text)
values = {} if values is None else values
if not isinstance(values, dict):
    sys.exit("the existing Traefik values are not a mapping: " + text[:200])
before = json.dumps(values, sort_keys=True, default=str)
def section(parent, key):
    if not isinstance(parent.get(key), dict):
        parent[key] = {}
    return parent[key]
ingress = section(section(values, "providers"), "kubernetesIngress")
section(ingress, "publishedService")["enabled"] = False
ingress.pop("ingressEndpoint", None)
arguments = values.get("additionalArguments")
if arguments is not None and not isinstance(arguments, list):
    sys.exit("additionalArguments of the existing Traefik values must be a list, not " + type(arguments).__name__ + " "
             + json.dumps(arguments, default=str)[:200]
             + ": write it as a YAML list (additionalArguments: [\"--log.level=DEBUG\"]) and run again")
kept = [a for a in arguments or [] if not str(a).lower().startswith(prefix)]
values["additionalArguments"] = kept + [prefix + "hostname=" + hostname]
if kind == "values":
    values["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
result = "unchanged" if json.dumps(values, sort_keys=True, default=str) == before else "changed"
if kind == "helmchartconfig":
    try:
        import yaml
        content = yaml.safe_dump(values, sort_keys=False, default_flow_style=False)
    except ImportError:
        content = json.dumps(values, indent=2, default=str) + "\n"
    values = {"apiVersion": "helm.cattle.io/v1", "kind": "HelmChartConfig", "metadata": {"name": "traefik", "namespace": "kube-system"},
              "spec": {"valuesContent": content}}
with open(out, "w") as f:
    json.dump(values, f, indent=2, default=str)
print(result)
