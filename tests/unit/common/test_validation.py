"""The checks every front end shares, with the messages users see."""

from __future__ import annotations

import datetime

import pytest

from sidecarclient import exceptions
from sidecarclient.common import validation


def refused(func, *args):
    with pytest.raises(exceptions.ValidationError) as caught:
        func(*args)
    message = str(caught.value)
    # One line, no traceback material.
    assert '\n' not in message
    return message


# -- Text ---------------------------------------------------------------------


def test_require_text():
    assert validation.require_text('x', 'id') == 'x'
    assert refused(validation.require_text, '', 'id') == (
        'id must not be empty'
    )
    assert refused(validation.require_text, '  ', 'id') == (
        'id must not be empty'
    )
    assert refused(validation.require_text, 5, 'id') == (
        'id must be a string, not int'
    )
    assert refused(validation.require_text, None, 'node_uuid') == (
        'node_uuid must be a string, not NoneType'
    )


@pytest.mark.parametrize('value', ['.', '..'])
def test_resource_id_refuses_dot_segments(value):
    message = refused(validation.resource_id, value)
    assert repr(value) in message


@pytest.mark.parametrize('value', ['abc', 'a.b', '...', 'a/b', '.x'])
def test_resource_id(value):
    assert validation.resource_id(value) == value


# -- Names --------------------------------------------------------------------


@pytest.mark.parametrize(
    'name',
    ['abc', 'ABC', '123', 'a_b', 'a b', 'a-b', 'host-7 down_now',
     'a' * 100, 'a\tb', 'a\u00e9b'],
)
def test_good_names(name):
    assert validation.event_name(name) == name


@pytest.mark.parametrize(
    'name, part',
    [
        ('ab', 'must be 3 to 100 characters long (it has 2)'),
        ('a' * 101, 'must be 3 to 100 characters long (it has 101)'),
        ('-ab', 'must start and end with an ASCII letter or digit'),
        ('ab-', 'must start and end'),
        ('_ab', 'must start and end'),
        (' abc', 'must start and end'),
        ('ab!c', 'only letters, digits, underscores, hyphens and spaces'),
        ('ab.c', 'only letters'),
        ('ab/c', 'only letters'),
        ('\u00e9ab', 'must start and end'),
        ('abc\n', 'must start and end'),
    ],
)
def test_bad_names(name, part):
    message = refused(validation.event_name, name)
    assert part in message
    assert message.startswith('name ')


def test_name_message_names_the_argument():
    assert refused(validation.event_name, 'x', '--name').startswith(
        "--name 'x'"
    )


# -- Statuses -----------------------------------------------------------------


def test_event_status():
    for status in ('created', 'running', 'completed'):
        assert validation.event_status(status) == status
    assert refused(validation.event_status, 'Running') == (
        "event status 'Running' is not one of: created, running, completed"
    )


def test_settable_status():
    assert validation.event_status(
        'running', validation.SETTABLE_STATUSES
    ) == 'running'
    assert refused(
        validation.event_status, 'created', validation.SETTABLE_STATUSES
    ) == "event status 'created' is not one of: running, completed"


# -- Instance lists -----------------------------------------------------------


@pytest.mark.parametrize(
    'value, expected',
    [([], []), (['a'], ['a']), (('a', 'b'), ['a', 'b']),
     (iter(['x']), ['x'])],
)
def test_vm_uuid_list(value, expected):
    assert validation.vm_uuid_list(value) == expected


@pytest.mark.parametrize(
    'value, part',
    [
        ('vm-1', 'must be a list of instance ids'),
        (b'vm-1', 'must be a list'),
        (None, 'must be a list'),
        (7, 'must be a list'),
        (['a', 'a'], "instance id 'a' appears more than once"),
        (['a', ''], 'an instance id in vm_uuid_list must not be empty'),
        (['a', 3], 'must be a string'),
    ],
)
def test_bad_vm_uuid_list(value, part):
    assert part in refused(validation.vm_uuid_list, value)


# -- Numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    'value, expected',
    [(1, 1), ('1', 1), (' 30 ', 30), ('+5', 5), (2**31 - 1, 2**31 - 1)],
)
def test_limit(value, expected):
    assert validation.limit(value) == expected


@pytest.mark.parametrize(
    'value', [0, -1, '0', '-3', '1.5', 1.5, 'ten', '', None, True, False,
              2**31, '99999999999'],
)
def test_bad_limit(value):
    message = refused(validation.limit, value, 'page_size')
    assert message.startswith('page_size must be')


@pytest.mark.parametrize(
    'value, expected',
    [('10', 10.0), (10, 10.0), ('0.5', 0.5), (' 7 ', 7.0), (300.0, 300.0)],
)
def test_timeout(value, expected):
    assert validation.timeout(value) == expected


@pytest.mark.parametrize(
    'value', ['abc', '-1', '0', 0, -2.5, 'inf', 'nan', '', None, True, []],
)
def test_bad_timeout(value):
    message = refused(validation.timeout, value)
    assert message.startswith('timeout must be')
    assert repr(value) in message


# -- Booleans -----------------------------------------------------------------


@pytest.mark.parametrize(
    'value', ['True', 'true', 'TRUE', '1', 'yes', 'Yes', ' yes ', True],
)
def test_true(value):
    assert validation.boolean(value, 'insecure') is True


@pytest.mark.parametrize(
    'value', ['False', 'false', '0', 'no', 'NO', '', ' ', False, None],
)
def test_false(value):
    assert validation.boolean(value, 'insecure') is False


@pytest.mark.parametrize('value', ['maybe', 'tru', '2', 1, 0, 'none', []])
def test_not_a_boolean(value):
    message = refused(validation.boolean, value, 'insecure')
    assert message.startswith('insecure must be true or false')
    assert message.endswith(f'not {value!r}')


# -- Times --------------------------------------------------------------------


@pytest.mark.parametrize(
    'value, expected',
    [
        ('2016-09-02 14:32:17', '2016-09-02 14:32:17'),
        ('2016-09-02T14:32:17', '2016-09-02 14:32:17'),
        ('2016-09-02T14:32:17.999', '2016-09-02 14:32:17'),
        ('2016-09-02', '2016-09-02 00:00:00'),
        (datetime.datetime(2016, 9, 2, 14, 32, 17), '2016-09-02 14:32:17'),
    ],
)
def test_event_time(value, expected):
    assert validation.event_time(value) == expected


def test_event_time_with_offset_is_local_time():
    aware = datetime.datetime(2016, 9, 2, 12, 0, tzinfo=datetime.UTC)
    local = aware.astimezone().replace(tzinfo=None)
    expected = local.strftime('%Y-%m-%d %H:%M:%S')
    assert validation.event_time('2016-09-02T12:00:00Z') == expected
    assert validation.event_time('2016-09-02T12:00:00+00:00') == expected
    assert validation.event_time(aware) == expected


@pytest.mark.parametrize(
    'value', ['yesterday', '2016-13-01', '02/09/2016', '', 1473000000, None],
)
def test_bad_event_time(value):
    message = refused(validation.event_time, value, 'min_event_create_time')
    assert message.startswith(f'min_event_create_time {value!r} is not')
    assert 'YYYY-MM-DD HH:MM:SS' in message
