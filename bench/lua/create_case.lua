-- create_case: POST /api/v1/cases, the intake form with one family member (the spec's CreateCase example),
-- a different name on every request so that the duplicate check and the search key see varied data.
-- The notes mark these cases so that bench.py leaves them out of the cases it picks (CREATED_NOTE there).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local given = { "Amina", "Moussa", "Fatou", "Oksana", "Wei", "Rahim", "Ioana", "Bilal", "Anh", "Gloria" }
local family = { "Diallo", "Ndiaye", "Kovalenko", "Chen", "Hossain", "Popescu", "Benali", "Nguyen",
                 "Okafor", "Shehu", "Rossi", "Kaur" }
local letters = "abcdefghijklmnopqrstuvwxyz"
local headers, counter

-- A few letters spelling n in base 26: "Diallo" + "bq" etc., so that names keep changing.
local function suffix(n)
   local s = ""
   repeat
      local d = n % 26
      s = letters:sub(d + 1, d + 1) .. s
      n = math.floor(n / 26)
   until n == 0
   return s
end

function init(args)
   headers = common.headers({ ["Content-Type"] = "application/json" })
   counter = (thread_index or 0) * 1000000
end

function request()
   counter = counter + 1
   local surname = family[counter % #family + 1] .. suffix(counter)
   local body = string.format(
      '{"given_name":"%s","family_name":"%s","sex":"female","birth_date":"1990-05-17",' ..
      '"citizenship":"SN","country_of_birth":"SN","languages":["fr","wo"],"legal_status":"permit_holder",' ..
      '"needs":["residence_permit","language_course"],"permit_type":"work","permit_expiry":"2027-03-31",' ..
      '"residence_municipality":"Cremona","notes":"Created by the benchmark",' ..
      '"family_members":[{"relationship":"child","given_name":"%s","family_name":"%s",' ..
      '"birth_date":"2016-03-02"}]}',
      given[counter % #given + 1], surname, given[(counter + 3) % #given + 1], surname)
   return wrk.format("POST", "/api/v1/cases", common.copy(headers), body)
end
