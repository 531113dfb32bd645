from app.clock import FakeClock
from app.countdown import Countdown, LinkState, format_mmss
from app.stripe.models import AccountLink


def make_link(clock: FakeClock, ttl: int = 300, server_created: int = 1_700_000_000) -> AccountLink:
    return AccountLink(
        url="https://connect.stripe.com/setup/s/acct_1/abc",
        created=server_created,
        expires_at=server_created + ttl,
        received_monotonic=clock.monotonic(),
    )


def test_countdown_runs_on_server_ttl_and_monotonic_time():
    clock = FakeClock()
    cd = Countdown.for_link(make_link(clock, ttl=300))
    assert cd.remaining(clock.monotonic()) == 300
    clock.advance(239)
    assert cd.remaining(clock.monotonic()) == 61
    assert cd.state(clock.monotonic()) is LinkState.ACTIVE
    clock.advance(1)
    assert cd.state(clock.monotonic()) is LinkState.WARNING
    clock.advance(60)
    assert cd.remaining(clock.monotonic()) == 0
    assert cd.state(clock.monotonic()) is LinkState.EXPIRED


def test_wall_clock_hours_wrong_changes_nothing():
    clock = FakeClock(wall=1_000_000_000)  # years behind the server's created
    cd = Countdown.for_link(make_link(clock, ttl=300, server_created=1_800_000_000))
    clock.set_wall(clock.time() + 5 * 3600)
    clock.advance(100)
    assert cd.remaining(clock.monotonic()) == 200


def test_ttl_taken_from_response_not_assumed():
    clock = FakeClock()
    assert Countdown.for_link(make_link(clock, ttl=600)).remaining(clock.monotonic()) == 600
    # Stripe's fixture has created == expires_at: expired at once, never negative
    cd = Countdown.for_link(make_link(clock, ttl=0))
    assert cd.state(clock.monotonic()) is LinkState.EXPIRED


def test_format_mmss_rounds_up():
    assert format_mmss(300) == "5:00"
    assert format_mmss(59.2) == "1:00"
    assert format_mmss(0.4) == "0:01"
    assert format_mmss(0) == "0:00"
    assert format_mmss(-3) == "0:00"
