package dev.skirmish.session.server;

import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Server-wide session bookkeeping shared by the I/O threads (read: the early checks 6 and 7 before a challenge) and
 * the workers (write: the authoritative checks when a session is allocated, and release when it closes). Only the
 * handshake path touches it, never the data path, so concurrent maps are fine here. Every table is bounded by a
 * configured limit.
 *
 * <p>Thread safe.
 */
public final class SessionRegistry
{
    /** Outcome of {@link #markTokenUsed}. */
    public enum TokenUse
    {
        /** First use, now remembered. */
        FIRST_USE,
        /** Already used from the same address: a retransmission. */
        SAME_ADDRESS,
        /** Already used from another address: refuse. */
        OTHER_ADDRESS,
        /** Table full of unexpired tokens: refuse (limit). */
        TABLE_FULL
    }

    /** Key of the used-token table: the token's 16-byte AEAD tag as two longs. */
    record TokenTag(long high, long low)
    {
    }

    /** A used token: where it was first used from and until when it must be remembered. */
    record UsedToken(InetSocketAddress address, long expireTimeMs)
    {
    }

    /** The session a client id holds. */
    public record ClientEntry(int sessionId, long tagHigh, long tagLow, InetSocketAddress address)
    {
    }

    private final int maxSessions;
    private final int maxPending;
    private final int usedTokenCapacity;
    private final ConcurrentHashMap<Long, ClientEntry> clients = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TokenTag, UsedToken> usedTokens = new ConcurrentHashMap<>();
    private final AtomicInteger usedTokenCount = new AtomicInteger();
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();

    /**
     * @param maxSessions       most sessions at once.
     * @param maxPending        most unconfirmed sessions at once.
     * @param usedTokenCapacity most used tokens remembered.
     */
    public SessionRegistry(final int maxSessions, final int maxPending, final int usedTokenCapacity)
    {
        this.maxSessions = maxSessions;
        this.maxPending = maxPending;
        this.usedTokenCapacity = usedTokenCapacity;
    }

    /**
     * @param clientId from a token.
     * @return the session this client holds, or null.
     */
    public ClientEntry client(final long clientId)
    {
        return clients.get(clientId);
    }

    /**
     * Claim a client id for a new session.
     *
     * @return true if the client had no session.
     */
    boolean claimClient(final long clientId, final ClientEntry entry)
    {
        return null == clients.putIfAbsent(clientId, entry);
    }

    void releaseClient(final long clientId, final int sessionId)
    {
        clients.computeIfPresent(clientId, (id, entry) -> entry.sessionId() == sessionId ? null : entry);
    }

    /**
     * Has this token been used from an address other than {@code source}? Read-only (the I/O thread's check 7).
     *
     * @return true if it was used from another address and has not expired.
     */
    public boolean usedElsewhere(final long tagHigh, final long tagLow, final InetSocketAddress source)
    {
        final UsedToken used = usedTokens.get(new TokenTag(tagHigh, tagLow));
        return null != used && !used.address().equals(source);
    }

    /**
     * Remember that a token was used from {@code source} until it expires.
     */
    TokenUse markTokenUsed(
        final long tagHigh, final long tagLow, final InetSocketAddress source, final long expireTimeMs,
        final long nowMs)
    {
        final TokenTag tag = new TokenTag(tagHigh, tagLow);
        final UsedToken existing = usedTokens.get(tag);
        if (null != existing)
        {
            return existing.address().equals(source) ? TokenUse.SAME_ADDRESS : TokenUse.OTHER_ADDRESS;
        }
        if (usedTokenCount.get() >= usedTokenCapacity)
        {
            purgeExpired(nowMs);
        }
        if (usedTokenCount.incrementAndGet() > usedTokenCapacity)
        {
            usedTokenCount.decrementAndGet();
            return TokenUse.TABLE_FULL;
        }
        final UsedToken raced = usedTokens.putIfAbsent(tag, new UsedToken(source, expireTimeMs));
        if (null != raced)
        {
            usedTokenCount.decrementAndGet();
            return raced.address().equals(source) ? TokenUse.SAME_ADDRESS : TokenUse.OTHER_ADDRESS;
        }
        return TokenUse.FIRST_USE;
    }

    /**
     * Forget tokens whose expire time has passed: they can no longer be used anyway. O(table); runs only when the
     * table is full.
     *
     * @param nowMs server epoch clock.
     * @return tokens forgotten.
     */
    public synchronized int purgeExpired(final long nowMs)
    {
        int purged = 0;
        for (final Iterator<Map.Entry<TokenTag, UsedToken>> it = usedTokens.entrySet().iterator(); it.hasNext(); )
        {
            if (it.next().getValue().expireTimeMs() < nowMs)
            {
                it.remove();
                usedTokenCount.decrementAndGet();
                purged++;
            }
        }
        return purged;
    }

    /**
     * @return true if a new session would exceed max sessions (an early, racy check for the I/O thread).
     */
    public boolean isFull()
    {
        return sessions.get() >= maxSessions;
    }

    boolean tryReserveSession()
    {
        while (true)
        {
            final int current = sessions.get();
            if (current >= maxSessions)
            {
                return false;
            }
            if (sessions.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    void releaseSession()
    {
        sessions.decrementAndGet();
    }

    boolean tryReservePending()
    {
        while (true)
        {
            final int current = pending.get();
            if (current >= maxPending)
            {
                return false;
            }
            if (pending.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    void releasePending()
    {
        pending.decrementAndGet();
    }

    /**
     * @return sessions allocated now, all workers.
     */
    public int sessionCount()
    {
        return sessions.get();
    }

    /**
     * @return sessions allocated but not yet confirmed.
     */
    public int pendingCount()
    {
        return pending.get();
    }

    /**
     * @return client ids holding a session.
     */
    public int clientCount()
    {
        return clients.size();
    }

    /**
     * @return used tokens remembered.
     */
    public int usedTokenCount()
    {
        return usedTokenCount.get();
    }
}
