package dev.trawl.capture.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trawl.core.chunk.Workload;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Workload resolution against fabric8's mock API server (CRUD mode, with watches). It is a
 * mock only because no Kubernetes API server can run on this machine; the client, its
 * informers and the watch protocol are the real ones.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesWorkloadsTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void podsAndServicesBecomeTheIpTableAndADeletedPodStaysInTheTableOfChunksOpenBeforeItsDeath() {
        client.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata()
                .withNewSpec().addToSelector("app", "web").withClusterIP("10.96.0.10").endSpec().build()).create();
        client.pods().inNamespace("shop").resource(pod("web-1", "shop", "web", "10.244.1.7", "node-a")).create();
        client.pods().inNamespace("db").resource(pod("redis-0", "db", "redis", "10.244.2.9", "node-b")).create();

        try (KubernetesWorkloads workloads = new KubernetesWorkloads(client)) {
            long chunkOpened = System.currentTimeMillis() * 1_000_000L;
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(workloads.tableSince(chunkOpened)).hasSize(3));
            assertThat(workloads.tableSince(chunkOpened))
                    .containsEntry("10.244.1.7", new Workload("web-1", "shop", "web", "node-a"))
                    .containsEntry("10.244.2.9", new Workload("redis-0", "db", null, "node-b"))
                    .containsEntry("10.96.0.10", new Workload(null, "shop", "web", null));

            client.pods().inNamespace("shop").withName("web-1").delete();
            await().atMost(Duration.ofSeconds(10)).until(() -> workloads.size() == 2);
            // the chunk open while web-1 lived keeps it; a chunk opened after its death does not see it
            assertThat(workloads.tableSince(chunkOpened)).containsKey("10.244.1.7");
            assertThat(workloads.tableSince(System.currentTimeMillis() * 1_000_000L + 1)).doesNotContainKey("10.244.1.7");
        }
    }

    /**
     * A finished pod (a Job's) keeps its IP in its status while the network gives the IP to a new
     * pod: the running pod owns it, and deleting the finished one leaves the running one's mapping.
     */
    @Test
    void aFinishedPodNeitherTakesNorRemovesTheIpOfTheRunningPodThatReusedIt() {
        client.pods().inNamespace("jobs").resource(pod("backup-29", "jobs", "backup", "10.244.1.30", "node-a", "Running")).create();
        try (KubernetesWorkloads workloads = new KubernetesWorkloads(client)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> workloads.size() == 1);
            client.pods().inNamespace("jobs").resource(pod("backup-29", "jobs", "backup", "10.244.1.30", "node-a", "Succeeded")).update();
            client.pods().inNamespace("shop").resource(pod("web-2", "shop", "web", "10.244.1.30", "node-a", "Running")).create();
            Workload web2 = new Workload("web-2", "shop", null, "node-a");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(workloads.tableSince(Long.MAX_VALUE)).containsEntry("10.244.1.30", web2));
            // an update of the finished pod (its deletion starts as one) does not take the IP back
            client.pods().inNamespace("jobs").withName("backup-29").edit(p -> new PodBuilder(p).editMetadata().addToLabels("done", "yes").endMetadata().build());
            client.pods().inNamespace("jobs").withName("backup-29").delete();
            client.pods().inNamespace("shop").resource(pod("marker", "shop", "marker", "10.244.9.9", "node-a", "Running")).create();
            await().atMost(Duration.ofSeconds(10)).until(() -> workloads.tableSince(Long.MAX_VALUE).containsKey("10.244.9.9"));
            assertThat(workloads.tableSince(Long.MAX_VALUE)).containsEntry("10.244.1.30", web2);
        }
    }

    @Test
    void aDeletedServiceNoLongerNamesItsPods() {
        client.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata()
                .withNewSpec().addToSelector("app", "web").withClusterIP("10.96.0.10").endSpec().build()).create();
        client.pods().inNamespace("shop").resource(pod("web-1", "shop", "web", "10.244.1.7", "node-a")).create();
        try (KubernetesWorkloads workloads = new KubernetesWorkloads(client)) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(workloads.tableSince(Long.MAX_VALUE))
                    .containsEntry("10.244.1.7", new Workload("web-1", "shop", "web", "node-a")));
            client.services().inNamespace("shop").withName("web").delete();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(workloads.tableSince(Long.MAX_VALUE))
                    .containsEntry("10.244.1.7", new Workload("web-1", "shop", null, "node-a"))
                    .doesNotContainKey("10.96.0.10"));
        }
    }

    private static Pod pod(String name, String ns, String app, String ip, String node) {
        return pod(name, ns, app, ip, node, "Running");
    }

    private static Pod pod(String name, String ns, String app, String ip, String node, String phase) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).addToLabels("app", app).endMetadata()
                .withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase(phase).withPodIP(ip).addNewPodIP().withIp(ip).endPodIP().endStatus()
                .build();
    }
}
