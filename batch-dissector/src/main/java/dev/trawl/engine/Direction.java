package dev.trawl.engine;

/** Which way bytes travel in a TCP connection, once the engine knows who the client is. */
public enum Direction {
    /** From the client (the side that sent SYN, or that protocol detection named) to the server: requests. */
    CLIENT_TO_SERVER,
    /** From the server to the client: responses. */
    SERVER_TO_CLIENT;

    public Direction reverse() {
        return this == CLIENT_TO_SERVER ? SERVER_TO_CLIENT : CLIENT_TO_SERVER;
    }
}
