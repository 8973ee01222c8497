-- A spike on one topic and day, written once.
insert into signals (signal_id, kind, topic, day, count_day, baseline, reason, run_id, created_at)
values ('spike:' || $topic || ':' || strftime($day, '%Y-%m-%d'), 'spike', $topic, $day, $count_day,
        $baseline, $reason, $run_id, $now)
on conflict do nothing
returning signal_id;
