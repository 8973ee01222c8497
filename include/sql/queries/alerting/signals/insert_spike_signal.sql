-- A spike on one topic and day, written once (suppressed = 'backfill' when a backfill run
-- raised it: its alerts are not delivered).
insert into signals (signal_id, kind, topic, day, count_day, baseline, share_day, share_baseline,
                     day_stories, reason, run_id, created_at, suppressed)
values ('spike:' || $topic || ':' || strftime($day, '%Y-%m-%d'), 'spike', $topic, $day, $count_day,
        $baseline, $share_day, $share_baseline, $day_stories, $reason, $run_id, $now, $suppressed)
on conflict do nothing
returning signal_id;
