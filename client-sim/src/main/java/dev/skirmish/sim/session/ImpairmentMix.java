package dev.skirmish.sim.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.skirmish.core.impair.ImpairmentProfile;

/**
 * How the bots of a swarm are split between impairment profiles: groups, each with a share of the bots and an
 * {@link ImpairmentProfile}. Immutable.
 * <p>
 * <b>Spec string</b> ({@link #parse(String)}, {@link #toString()}): groups separated by {@code |}, each optionally
 * led by a whole-number share {@code N%=}, e.g. {@code 70%=wifi|30%=bad-4g,bw=1mbps}; each group's profile is an
 * {@link ImpairmentProfile#parse(String)} spec. Shares are given for every group or for none (equal shares), each
 * 1..100 %, summing to 100 %. A single profile without a share is 100 %, so a plain profile spec is a mix of one.
 * {@code parse(mix.toString())} equals {@code mix}; shares are written only when they differ.
 * <p>
 * <b>Assignment</b> ({@link #groupOf(int, int)}) is deterministic by bot index, in proportion: of N bots, bot i is in
 * the first group whose cumulative share exceeds {@code (i + 0.5) / N} (exact integer arithmetic), so bots of one
 * group are contiguous and a run is reproducible.
 */
public final class ImpairmentMix
{
    private static final Pattern SHARE = Pattern.compile("^\\s*(\\d{1,3})\\s*%\\s*=(.*)$", Pattern.DOTALL);

    private final ImpairmentProfile[] profiles;
    private final int[] weights;
    private final long totalWeight;

    private ImpairmentMix(final ImpairmentProfile[] profiles, final int[] weights)
    {
        this.profiles = profiles;
        this.weights = weights;
        long total = 0;
        for (final int weight : weights)
        {
            total += weight;
        }
        this.totalWeight = total;
    }

    /**
     * Every bot gets the same profile.
     *
     * @param profile of every bot.
     * @return a mix of one group.
     */
    public static ImpairmentMix of(final ImpairmentProfile profile)
    {
        return new ImpairmentMix(new ImpairmentProfile[]{ profile }, new int[]{ 1 });
    }

    /**
     * Parse a spec string (see the class javadoc).
     *
     * @param spec e.g. {@code 70%=wifi|30%=bad-4g,bw=1mbps} or {@code 4g}.
     * @return the mix.
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static ImpairmentMix parse(final String spec)
    {
        final String[] groups = spec.split("\\|", -1);
        final List<ImpairmentProfile> profiles = new ArrayList<>();
        final int[] shares = new int[groups.length];
        int withShare = 0;
        int sum = 0;
        for (int g = 0; g < groups.length; g++)
        {
            String profileSpec = groups[g];
            final Matcher matcher = SHARE.matcher(profileSpec);
            if (matcher.matches())
            {
                final int share = Integer.parseInt(matcher.group(1));
                if (share < 1 || share > 100)
                {
                    throw new IllegalArgumentException("group " + (g + 1) + ": share " + share + "% not in 1..100%");
                }
                shares[g] = share;
                sum += share;
                withShare++;
                profileSpec = matcher.group(2);
            }
            if (profileSpec.isBlank())
            {
                throw new IllegalArgumentException("group " + (g + 1) + ": empty profile in '" + spec + "'");
            }
            try
            {
                profiles.add(ImpairmentProfile.parse(profileSpec.trim()));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(
                    (groups.length > 1 ? "group " + (g + 1) + ": " : "") + ex.getMessage(), ex);
            }
        }

        if (0 == withShare)
        {
            Arrays.fill(shares, 1);
        }
        else if (withShare != groups.length)
        {
            throw new IllegalArgumentException(
                "give a share (N%=) for every group or for none: " + withShare + " of " + groups.length + " have one");
        }
        else if (100 != sum)
        {
            throw new IllegalArgumentException("shares sum to " + sum + "%, not 100%");
        }

        return new ImpairmentMix(profiles.toArray(new ImpairmentProfile[0]), shares);
    }

    /**
     * Number of groups.
     *
     * @return at least 1.
     */
    public int groups()
    {
        return profiles.length;
    }

    /**
     * Profile of a group.
     *
     * @param group 0..{@link #groups()} - 1.
     * @return its profile.
     */
    public ImpairmentProfile profile(final int group)
    {
        return profiles[group];
    }

    /**
     * Share of a group.
     *
     * @param group 0..{@link #groups()} - 1.
     * @return fraction of the bots, 0..1.
     */
    public double share(final int group)
    {
        return (double)weights[group] / totalWeight;
    }

    /**
     * Group of a bot: the first whose cumulative share exceeds {@code (botIndex + 0.5) / bots}.
     *
     * @param botIndex 0..bots - 1.
     * @param bots     bots in the swarm.
     * @return group index.
     */
    public int groupOf(final int botIndex, final int bots)
    {
        // cumulative / total > (2i + 1) / 2N  <=>  2N * cumulative > (2i + 1) * total
        final long rhs = (2L * botIndex + 1) * totalWeight;
        long cumulative = 0;
        for (int g = 0; g < weights.length; g++)
        {
            cumulative += weights[g];
            if (2L * bots * cumulative > rhs)
            {
                return g;
            }
        }

        return weights.length - 1;
    }

    /**
     * Profile of a bot.
     *
     * @param botIndex 0..bots - 1.
     * @param bots     bots in the swarm.
     * @return the profile of its group.
     */
    public ImpairmentProfile profileFor(final int botIndex, final int bots)
    {
        return profiles[groupOf(botIndex, bots)];
    }

    /**
     * Bots of a group.
     *
     * @param group 0..{@link #groups()} - 1.
     * @param bots  bots in the swarm.
     * @return how many of them {@link #groupOf(int, int)} puts in the group.
     */
    public int botsIn(final int group, final int bots)
    {
        int count = 0;
        for (int i = 0; i < bots; i++)
        {
            if (groupOf(i, bots) == group)
            {
                count++;
            }
        }

        return count;
    }

    private boolean equalShares()
    {
        for (final int weight : weights)
        {
            if (weight != weights[0])
            {
                return false;
            }
        }

        return true;
    }

    /**
     * {@inheritDoc}
     */
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof ImpairmentMix))
        {
            return false;
        }
        final ImpairmentMix that = (ImpairmentMix)o;
        if (profiles.length != that.profiles.length || !Arrays.equals(profiles, that.profiles))
        {
            return false;
        }
        for (int g = 0; g < weights.length; g++)
        {
            if ((long)weights[g] * that.totalWeight != (long)that.weights[g] * totalWeight)
            {
                return false;
            }
        }

        return true;
    }

    /**
     * {@inheritDoc}
     */
    public int hashCode()
    {
        return Arrays.hashCode(profiles);
    }

    /**
     * The spec string: profiles joined by {@code |}, each led by its share {@code N%=} unless all shares are equal.
     *
     * @return e.g. {@code 70%=wifi|30%=bad-4g,bw=1mbps}, or a plain profile for a mix of one.
     */
    public String toString()
    {
        final boolean withShares = !equalShares();
        final StringBuilder sb = new StringBuilder();
        for (int g = 0; g < profiles.length; g++)
        {
            if (g > 0)
            {
                sb.append('|');
            }
            if (withShares)
            {
                sb.append(weights[g] * 100L / totalWeight).append("%=");
            }
            sb.append(profiles[g]);
        }

        return sb.toString();
    }
}
