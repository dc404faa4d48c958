package dev.trawl.capture.workload;

import dev.trawl.core.chunk.Workload;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On Kubernetes: watches pods and services (fabric8 informers, all namespaces) and keeps the
 * IP → {pod, namespace, service, node} table current. A pod's service is the first service in
 * its namespace whose selector its labels match; a service's cluster IPs map to the service.
 *
 * <p>A finished pod (phase Succeeded or Failed, a Job's for instance) keeps its IP in its status
 * while the network hands the IP to a new pod, so it owns no IP: neither its updates nor its
 * deletion touch the mapping of the pod that runs on that IP now.
 */
public final class KubernetesWorkloads extends WorkloadTable implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KubernetesWorkloads.class);

    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Service> services;
    private final Map<String, Set<String>> ipsByPod = new HashMap<>(); // guarded by this
    private final Map<String, String> podByIp = new HashMap<>(); // guarded by this: who owns each pod IP now

    public KubernetesWorkloads(KubernetesClient client) {
        services = client.services().inAnyNamespace().inform(handler(this::onService, this::onServiceGone), 0);
        pods = client.pods().inAnyNamespace().inform(handler(this::onPod, this::onPodGone), 0);
        log.info("watching pods and services: {} pods, {} services known", pods.getStore().list().size(), services.getStore().list().size());
    }

    private static <T> ResourceEventHandler<T> handler(java.util.function.Consumer<T> upsert, java.util.function.Consumer<T> gone) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                upsert.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                upsert.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                gone.accept(obj);
            }
        };
    }

    private synchronized void onPod(Pod pod) {
        String id = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        Set<String> ips = new HashSet<>();
        if (pod.getStatus() != null) {
            if (pod.getStatus().getPodIPs() != null) pod.getStatus().getPodIPs().forEach(ip -> ips.add(ip.getIp()));
            if (pod.getStatus().getPodIP() != null) ips.add(pod.getStatus().getPodIP());
        }
        boolean hostNetwork = pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        if (hostNetwork) ips.clear(); // the node's IP belongs to no single pod
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) ips.clear(); // its IP may be another pod's by now
        long now = System.currentTimeMillis() * 1_000_000L;
        for (String old : ipsByPod.getOrDefault(id, Set.of())) if (!ips.contains(old)) release(id, old, now);
        Workload w = new Workload(pod.getMetadata().getName(), pod.getMetadata().getNamespace(), serviceOf(pod),
                pod.getSpec() == null ? null : pod.getSpec().getNodeName());
        for (String ip : ips) {
            put(ip, w);
            podByIp.put(ip, id);
        }
        if (ips.isEmpty()) ipsByPod.remove(id); else ipsByPod.put(id, ips);
    }

    private synchronized void onPodGone(Pod pod) {
        String id = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        long now = System.currentTimeMillis() * 1_000_000L;
        for (String ip : ipsByPod.getOrDefault(id, Set.of())) release(id, ip, now);
        ipsByPod.remove(id);
    }

    /** A pod lets go of an IP: the mapping goes only if that pod is still the one holding it. */
    private void release(String podId, String ip, long now) {
        if (!podId.equals(podByIp.get(ip))) return;
        podByIp.remove(ip);
        remove(ip, now);
    }

    private synchronized void onService(Service svc) {
        if (svc.getSpec() == null) return;
        Workload w = new Workload(null, svc.getMetadata().getNamespace(), svc.getMetadata().getName(), null);
        List<String> ips = clusterIps(svc);
        for (String ip : ips) if (ip != null && !"None".equals(ip)) put(ip, w);
        // a new or changed selector may give existing pods their service
        reresolvePods(svc.getMetadata().getNamespace());
    }

    private synchronized void onServiceGone(Service svc) {
        if (svc.getSpec() == null) return;
        long now = System.currentTimeMillis() * 1_000_000L;
        List<String> ips = clusterIps(svc);
        for (String ip : ips) if (ip != null) remove(ip, now);
        // its pods lose it (or fall to the next service that selects them): the store no longer holds it
        reresolvePods(svc.getMetadata().getNamespace());
    }

    /** Resolves a namespace's pods again, after a service there came, changed or went. */
    private void reresolvePods(String namespace) {
        if (pods == null) return; // the services' first events come before the pods' informer exists
        pods.getStore().list().stream().filter(p -> Objects.equals(p.getMetadata().getNamespace(), namespace)).forEach(this::onPod);
    }

    private static List<String> clusterIps(Service svc) {
        List<String> ips = new java.util.ArrayList<>();
        if (svc.getSpec().getClusterIPs() != null) ips.addAll(svc.getSpec().getClusterIPs());
        if (svc.getSpec().getClusterIP() != null && !ips.contains(svc.getSpec().getClusterIP())) ips.add(svc.getSpec().getClusterIP());
        return ips;
    }

    private String serviceOf(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        if (labels == null || services == null) return null;
        return services.getStore().list().stream()
                .filter(s -> Objects.equals(s.getMetadata().getNamespace(), pod.getMetadata().getNamespace()))
                .filter(s -> s.getSpec() != null && s.getSpec().getSelector() != null && !s.getSpec().getSelector().isEmpty())
                .filter(s -> labels.entrySet().containsAll(s.getSpec().getSelector().entrySet()))
                .map(s -> s.getMetadata().getName())
                .sorted()
                .findFirst()
                .orElse(null);
    }

    @Override
    public void close() {
        pods.close();
        services.close();
    }
}
