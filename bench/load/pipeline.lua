-- wrk script: send `depth` requests back to back on each connection (HTTP pipelining).
-- Usage: wrk ... -s pipeline.lua URL -- <depth>
init = function(args)
  local depth = tonumber(args[1]) or 10
  local requests = {}
  for i = 1, depth do
    requests[i] = wrk.format(nil, wrk.path)
  end
  batch = table.concat(requests)
end

request = function()
  return batch
end
