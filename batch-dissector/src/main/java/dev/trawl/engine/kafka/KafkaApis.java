package dev.trawl.engine.kafka;

/** Names and first flexible (KIP-482 tagged-field) versions of Kafka's APIs, by api key. */
public final class KafkaApis {
    private KafkaApis() {}

    public static final int PRODUCE = 0, FETCH = 1, METADATA = 3, CONTROLLED_SHUTDOWN = 7,
            API_VERSIONS = 18;

    private static final String[] NAMES = {
        "Produce", "Fetch", "ListOffsets", "Metadata", "LeaderAndIsr", "StopReplica", "UpdateMetadata",
        "ControlledShutdown", "OffsetCommit", "OffsetFetch", "FindCoordinator", "JoinGroup", "Heartbeat",
        "LeaveGroup", "SyncGroup", "DescribeGroups", "ListGroups", "SaslHandshake", "ApiVersions",
        "CreateTopics", "DeleteTopics", "DeleteRecords", "InitProducerId", "OffsetForLeaderEpoch",
        "AddPartitionsToTxn", "AddOffsetsToTxn", "EndTxn", "WriteTxnMarkers", "TxnOffsetCommit",
        "DescribeAcls", "CreateAcls", "DeleteAcls", "DescribeConfigs", "AlterConfigs",
        "AlterReplicaLogDirs", "DescribeLogDirs", "SaslAuthenticate", "CreatePartitions",
        "CreateDelegationToken", "RenewDelegationToken", "ExpireDelegationToken",
        "DescribeDelegationToken", "DeleteGroups", "ElectLeaders", "IncrementalAlterConfigs",
        "AlterPartitionReassignments", "ListPartitionReassignments", "OffsetDelete",
        "DescribeClientQuotas", "AlterClientQuotas", "DescribeUserScramCredentials",
        "AlterUserScramCredentials", "Vote", "BeginQuorumEpoch", "EndQuorumEpoch", "DescribeQuorum",
        "AlterPartition", "UpdateFeatures", "Envelope", "FetchSnapshot", "DescribeCluster",
        "DescribeProducers", "BrokerRegistration", "BrokerHeartbeat", "UnregisterBroker",
        "DescribeTransactions", "ListTransactions", "AllocateProducerIds", "ConsumerGroupHeartbeat",
        "ConsumerGroupDescribe", "ControllerRegistration", "GetTelemetrySubscriptions", "PushTelemetry",
        "AssignReplicasToDirs", "ListClientMetricsResources", "DescribeTopicPartitions"};

    private static final int NEVER = Integer.MAX_VALUE;
    private static final int[] FIRST_FLEXIBLE = {
        9, 12, 6, 9, 4, 2, 6, 3, 8, 6, 3, 6, 4, 4, 4, 5, 3, NEVER, 3, 5, 4, 2, 2, 4, 3, 3, 3, 1, 3,
        2, 2, 2, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 0, 0, NEVER, 1, 1, 0, 0, 0, 1, 1, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    public static int count() {
        return NAMES.length;
    }

    public static String name(int apiKey) {
        return apiKey >= 0 && apiKey < NAMES.length ? NAMES[apiKey] : "ApiKey" + apiKey;
    }

    /** Whether this version of the API uses compact strings, compact arrays and tagged fields. */
    public static boolean flexible(int apiKey, int version) {
        return apiKey >= 0 && apiKey < FIRST_FLEXIBLE.length && version >= FIRST_FLEXIBLE[apiKey];
    }

    /** The request header has tagged fields from the first flexible version on. */
    public static boolean requestHeaderV2(int apiKey, int version) {
        return flexible(apiKey, version);
    }

    /** ApiVersions answers with header v0 always, so that any client can read the answer. */
    public static boolean responseHeaderV1(int apiKey, int version) {
        return apiKey != API_VERSIONS && flexible(apiKey, version);
    }
}
