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
 */
public final class KubernetesWorkloads extends WorkloadTable implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KubernetesWorkloads.class);

    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Service> services;
    private final Map<String, Set<String>> ipsByPod = new HashMap<>(); // guarded by this

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
        Set<String> before = ipsByPod.getOrDefault(id, Set.of());
        long now = System.currentTimeMillis() * 1_000_000L;
        for (String old : before) if (!ips.contains(old)) remove(old, now);
        Workload w = new Workload(pod.getMetadata().getName(), pod.getMetadata().getNamespace(), serviceOf(pod),
                pod.getSpec() == null ? null : pod.getSpec().getNodeName());
        for (String ip : ips) put(ip, w);
        if (ips.isEmpty()) ipsByPod.remove(id); else ipsByPod.put(id, ips);
    }

    private synchronized void onPodGone(Pod pod) {
        String id = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        long now = System.currentTimeMillis() * 1_000_000L;
        for (String ip : ipsByPod.getOrDefault(id, Set.of())) remove(ip, now);
        ipsByPod.remove(id);
    }

    private synchronized void onService(Service svc) {
        if (svc.getSpec() == null) return;
        Workload w = new Workload(null, svc.getMetadata().getNamespace(), svc.getMetadata().getName(), null);
        List<String> ips = clusterIps(svc);
        for (String ip : ips) if (ip != null && !"None".equals(ip)) put(ip, w);
        // a new or changed selector may give existing pods their service
        if (pods != null) pods.getStore().list().stream()
                .filter(p -> Objects.equals(p.getMetadata().getNamespace(), svc.getMetadata().getNamespace()))
                .forEach(this::onPod);
    }

    private synchronized void onServiceGone(Service svc) {
        if (svc.getSpec() == null) return;
        long now = System.currentTimeMillis() * 1_000_000L;
        List<String> ips = clusterIps(svc);
        for (String ip : ips) if (ip != null) remove(ip, now);
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
