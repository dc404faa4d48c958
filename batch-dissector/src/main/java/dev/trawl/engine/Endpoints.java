package dev.trawl.engine;

/** The two ends of a connection or datagram exchange, client first. Addresses in their text form. */
public record Endpoints(String clientIp, int clientPort, String serverIp, int serverPort) {
    public Endpoints reversed() {
        return new Endpoints(serverIp, serverPort, clientIp, clientPort);
    }

    @Override
    public String toString() {
        return clientIp + ":" + clientPort + " -> " + serverIp + ":" + serverPort;
    }
}
