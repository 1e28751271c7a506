"""Drives the official Kubernetes Python client against a server and prints what it saw as JSON.

Usage: official_client.py KUBECONFIG. Lists, watches with a timeout, creates, patches and deletes a
ConfigMap, a CustomResourceDefinition and one of its custom objects, as a Python program would.
"""

import json
import sys

from kubernetes import client, config, watch


def main(kubeconfig):
    config.load_kube_config(config_file=kubeconfig)
    core = client.CoreV1Api()
    seen = {}

    seen["namespaces"] = sorted(ns.metadata.name for ns in core.list_namespace().items)

    cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="from-python", labels={"lang": "python"}),
                            data={"greeting": "hello"})
    created = core.create_namespaced_config_map("default", cm)
    seen["created_rv"] = created.metadata.resource_version
    patched = core.patch_namespaced_config_map("from-python", "default", {"data": {"greeting": "patched"}})
    seen["patched_data"] = patched.data
    seen["selected"] = [c.metadata.name for c in
                        core.list_namespaced_config_map("default", label_selector="lang=python").items]

    events = []
    stream = watch.Watch().stream(core.list_namespaced_config_map, "default", label_selector="lang=python",
                                  resource_version=created.metadata.resource_version, timeout_seconds=2)
    for event in stream:
        events.append([event["type"], event["object"].metadata.name, event["object"].data])
    seen["watched"] = events

    core.delete_namespaced_config_map("from-python", "default")
    seen["after_delete"] = [c.metadata.name for c in
                            core.list_namespaced_config_map("default", label_selector="lang=python").items]

    extensions = client.ApiextensionsV1Api()
    crd = client.V1CustomResourceDefinition(
        metadata=client.V1ObjectMeta(name="gadgets.example.com"),
        spec=client.V1CustomResourceDefinitionSpec(
            group="example.com",
            scope="Namespaced",
            names=client.V1CustomResourceDefinitionNames(plural="gadgets", singular="gadget", kind="Gadget"),
            versions=[client.V1CustomResourceDefinitionVersion(
                name="v1", served=True, storage=True,
                schema=client.V1CustomResourceValidation(open_apiv3_schema=client.V1JSONSchemaProps(
                    type="object", x_kubernetes_preserve_unknown_fields=True)))],
        ),
    )
    seen["crd"] = extensions.create_custom_resource_definition(crd).metadata.name

    custom = client.CustomObjectsApi()
    body = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g1"}, "spec": {"size": 1}}
    custom.create_namespaced_custom_object("example.com", "v1", "default", "gadgets", body)
    custom.patch_namespaced_custom_object("example.com", "v1", "default", "gadgets", "g1", {"spec": {"size": 2}})
    seen["gadget"] = custom.get_namespaced_custom_object("example.com", "v1", "default", "gadgets", "g1")["spec"]
    seen["gadgets"] = [item["metadata"]["name"] for item in
                       custom.list_namespaced_custom_object("example.com", "v1", "default", "gadgets")["items"]]
    custom.delete_namespaced_custom_object("example.com", "v1", "default", "gadgets", "g1")
    seen["gadgets_after_delete"] = [item["metadata"]["name"] for item in custom.list_namespaced_custom_object(
        "example.com", "v1", "default", "gadgets")["items"]]
    extensions.delete_custom_resource_definition("gadgets.example.com")

    json.dump(seen, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
