package dev.trawl.engine.amqp;

import java.util.Map;

/**
 * An AMQP method: a synchronous request with the method that answered it (its -ok, or the
 * channel.close/connection.close that refused it), or an asynchronous one (publish, deliver,
 * ack, ...) on its own, with its content when it carries some.
 *
 * @param fromClient which side sent the method (the server starts connection.start, sends deliver ...)
 * @param arguments the method's named arguments that say what it is about (exchange, routing-key, queue, ...)
 * @param answer the answering method's name, empty when none was seen or none is expected
 * @param replyCode the close's reply code when the method was refused, 0 otherwise
 */
public record AmqpExchange(int channel, String method, boolean fromClient, Map<String, String> arguments,
                           boolean expectsAnswer, String answer, int replyCode, String replyText,
                           byte[] body, long bodySize, long requestSize, long responseSize,
                           long requestMicros, long responseMicros) {

    public boolean answered() {
        return responseMicros != 0;
    }

    public String argument(String name) {
        return arguments.getOrDefault(name, "");
    }
}
