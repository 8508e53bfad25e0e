package dev.skirmish.sim.flood;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Socket implementation of the flood clients: Netty's native epoll transport where it loads, NIO otherwise.
 */
public enum FloodTransport
{
    /** Epoll when available, else NIO. */
    AUTO("auto"),
    /** Netty native epoll; fails the run if the native library does not load. */
    EPOLL("epoll"),
    /** Netty NIO over the JDK selector. */
    NIO("nio");

    private final String cliName;

    FloodTransport(final String cliName)
    {
        this.cliName = cliName;
    }

    /**
     * Name on the command line and in reports.
     *
     * @return e.g. {@code epoll}.
     */
    public String cliName()
    {
        return cliName;
    }

    /**
     * The concrete transport to use: {@link #AUTO} becomes {@link #EPOLL} when available, else {@link #NIO}.
     *
     * @return {@link #EPOLL} or {@link #NIO}.
     * @throws IllegalStateException when {@link #EPOLL} was asked for but is not available.
     */
    public FloodTransport resolve()
    {
        switch (this)
        {
            case AUTO:
                return Epoll.isAvailable() ? EPOLL : NIO;

            case EPOLL:
                if (!Epoll.isAvailable())
                {
                    throw new IllegalStateException("epoll is not available: " + Epoll.unavailabilityCause());
                }
                return EPOLL;

            default:
                return NIO;
        }
    }

    /**
     * Event-loop I/O handler of a resolved transport.
     *
     * @return factory for {@code MultiThreadIoEventLoopGroup}.
     */
    IoHandlerFactory ioHandlerFactory()
    {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /**
     * Datagram channel class of a resolved transport.
     *
     * @return channel class for the bootstrap.
     */
    Class<? extends DatagramChannel> channelClass()
    {
        return this == EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /**
     * picocli converter for {@code --transport}.
     */
    public static final class Converter implements ITypeConverter<FloodTransport>
    {
        /**
         * {@inheritDoc}
         */
        public FloodTransport convert(final String value)
        {
            for (final FloodTransport transport : values())
            {
                if (transport.cliName.equals(value))
                {
                    return transport;
                }
            }

            throw new TypeConversionException("'" + value + "' is not a transport: expected auto, epoll or nio");
        }
    }
}
