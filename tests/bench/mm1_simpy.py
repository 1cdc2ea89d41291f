#!/usr/bin/python3
"""M/M/1 in SimPy 2 (Debian's python3-simpy 2.3), the model of figure 1 of
`make bench`: Poisson arrivals (lambda), one exponential server (mu), FIFO.

Written as the SimPy 2 manual writes it: a Source process activates one
Customer process per arrival; a customer requests the Resource, holds for
its service time and releases it.

Usage: mm1_simpy.py CUSTOMERS [LAMBDA MU SEED]
Prints one line: "events N seconds S sojourn W simpy V" where events = arrivals +
departures, S is the wall time of simulate() alone (time.perf_counter),
W the mean time in system (theory 1 / (mu - lambda)), V SimPy's version."""
import random
import sys
import time

import SimPy

from SimPy.Simulation import (Process, Resource, activate, hold, initialize,
                              now, release, request, simulate)


class Stats:
    departed = 0
    sojourn = 0.0


class Customer(Process):
    def run(self, server, mu, rng, stats):
        arrive = now()
        yield request, self, server
        yield hold, self, rng.expovariate(mu)
        yield release, self, server
        stats.departed += 1
        stats.sojourn += now() - arrive


class Source(Process):
    def run(self, n, lam, mu, server, arr_rng, svc_rng, stats):
        for _ in range(n):
            yield hold, self, arr_rng.expovariate(lam)
            c = Customer()
            activate(c, c.run(server, mu, svc_rng, stats))


def main():
    n = int(sys.argv[1])
    lam = float(sys.argv[2]) if len(sys.argv) > 2 else 0.9
    mu = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 42
    stats = Stats()
    initialize()
    server = Resource(capacity=1)
    src = Source()
    activate(src, src.run(n, lam, mu, server, random.Random(seed),
                          random.Random(seed + 1), stats))
    t0 = time.perf_counter()
    simulate(until=1e300)
    secs = time.perf_counter() - t0
    print("events %d seconds %.6f sojourn %.6f simpy %s"
          % (n + stats.departed, secs, stats.sojourn / max(stats.departed, 1),
             SimPy.__version__))


if __name__ == "__main__":
    main()
